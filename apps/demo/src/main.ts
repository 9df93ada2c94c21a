import 'reflect-metadata';
import { loadDemoConfig } from './config/demo.config.js';
import { startDemo } from './demo.app.js';

startDemo(loadDemoConfig(process.env)).catch((error: unknown) => {
  // The message only: option errors name the variable, never its value.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
