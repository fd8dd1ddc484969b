/**
 * `npm run build:clients`: writes the three browser clients (clients/*.js) from
 * their one source in clients/src/. The files are committed, since teams copy them
 * as they are; test/unit/clients.test.ts fails when they are stale.
 */
import { writeFileSync } from 'node:fs';
import { clientPath, renderClients } from './clients';

for (const [name, js] of Object.entries(renderClients())) {
  writeFileSync(clientPath(name), js);
  console.log(`wrote clients/${name} (${js.length} bytes)`);
}
