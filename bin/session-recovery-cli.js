#!/usr/bin/env node
// The `session-recovery` command: runs the TypeScript CLI in clients/cli/ through tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('../clients/cli/main.ts', import.meta.url);
