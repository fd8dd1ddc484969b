/** The package's entry point: what `import { … } from 'session-recovery'` gives (compiled by jsii to build/lib/index.js). */
export * from './session-recovery';
export * from './session-recovery-stack';
