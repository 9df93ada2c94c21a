import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The logged-in user, `req.user`, in a route's parameters:
 * `profile(@WxUser() user: User)`, or one of its fields: `@WxUser('openid')`.
 * Without a `WxValidator` it is the `WxProfile`.
 *
 * @publicApi
 */
export const WxUser = createParamDecorator(
  (field: string | undefined, context: ExecutionContext): unknown => {
    const { user } = context.switchToHttp().getRequest<{ user?: Record<string, unknown> }>();
    return field === undefined ? user : user?.[field];
  },
);
