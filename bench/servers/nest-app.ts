// Creates a bench Nest app on the adapter the runner asks for (NEST_ADAPTER):
// Express by default, as a user's app is; Fastify to show what that adapter gives.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';

export function createNestApp(module: object): Promise<INestApplication> {
  const options: NestApplicationOptions = { logger: ['error', 'warn'] };
  return process.env.NEST_ADAPTER === 'fastify'
    ? NestFactory.create(module, new FastifyAdapter(), options)
    : NestFactory.create(module, options);
}
