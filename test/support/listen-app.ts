import { type INestApplication, Module, type ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { CaptureLogger } from './capture-logger.js';

/**
 * Compiles `metadata` into an app listening on `port` on loopback, on Express
 * or Fastify, its logs captured; `setup` runs before it listens (middleware, CORS),
 * `override` on the module before it compiles (a provider replaced).
 */
export async function listenApp(
  port: number,
  metadata: ModuleMetadata,
  setup?: (app: INestApplication) => void,
  adapter: 'express' | 'fastify' = 'express',
  override: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<{ app: INestApplication; logger: CaptureLogger }> {
  @Module(metadata)
  class AppModule {}
  const logger = new CaptureLogger();
  const moduleRef = await override(Test.createTestingModule({ imports: [AppModule] }))
    .setLogger(logger)
    .compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  setup?.(app);
  await app.listen(port, '127.0.0.1');
  return { app, logger };
}
