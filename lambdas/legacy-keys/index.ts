import { createHandler, fromEnvironment } from './handler';

export const handler = createHandler(fromEnvironment());
