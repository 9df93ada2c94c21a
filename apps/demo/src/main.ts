import 'reflect-metadata';
import { startDemo } from './demo.app.js';

startDemo().catch((error: unknown) => {
  // The message only: configuration errors name the variable, never its value.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
