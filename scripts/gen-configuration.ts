/** Writes docs/configuration.md's table (npm run docs:configuration). test/unit/configuration-doc.test.ts fails when it is stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_PAGE, renderConfiguration } from './configuration';

writeFileSync(CONFIGURATION_PAGE, renderConfiguration(readFileSync(CONFIGURATION_PAGE, 'utf8')));
console.log(`wrote ${CONFIGURATION_PAGE}`);
