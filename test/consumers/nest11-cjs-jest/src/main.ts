import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  // The SPA's origins may call the API: the handoff exchange is a JSON POST.
  app.enableCors({ origin: process.env.WX_FRONTEND_ORIGINS?.split(',') ?? [] });
  await app.listen(process.env.PORT ?? 3000);
}
void bootstrap();
