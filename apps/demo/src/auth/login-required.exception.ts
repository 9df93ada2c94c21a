import { UnauthorizedException } from '@nestjs/common';

/** No session: the error page filter answers it with a redirect to log in, back to `returnTo`. */
export class LoginRequiredException extends UnauthorizedException {
  constructor(readonly returnTo: string) {
    super('Log in to see this page');
  }
}
