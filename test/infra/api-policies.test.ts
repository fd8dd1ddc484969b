import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { SessionRecovery } from '../../lib/session-recovery';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

/*
 * Admin access in parts (README, Admin API): a managed policy, an output and a
 * grant method for each of entries and completions, minting, credentials
 * (with origins and browser saves) and legacy keys, besides the whole.
 */

/** The routes an execute-api ARN (as synthesized) allows: `METHOD /path` with `*` for each parameter. */
const routesOf = (resources: unknown[]): string[] =>
  resources
    .map((r) => {
      const parts = (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const tail = parts.at(-1) as string;
      const [, method, ...path] = tail.split('/').slice(1);
      return `${method} /${path.join('/')}`;
    })
    .sort();
const expected = (fns: string[]) =>
  ROUTE_LIST.filter((r) => r.access === 'iam' && fns.includes(r.fn))
    .map((r) => `${r.method} ${r.path.replace(/\{[^}]+\}/g, '*')}`)
    .sort();

const PARTS = {
  EntriesApiPolicy: ['entries'],
  MintApiPolicy: ['mint'],
  CredentialsApiPolicy: ['credentials'],
  LegacyKeysApiPolicy: ['legacy-keys'],
};

describe('the managed policies and their outputs', () => {
  const stack = new SessionRecoveryStack(templateApp(), 'Policies');
  const template = Template.fromStack(stack);
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const statementsOf = (prefix: string) => {
    const found = Object.entries(policies).filter(([id]) => id.startsWith(`SessionRecovery${prefix}`));
    expect(found).toHaveLength(1);
    return found[0]![1].Properties.PolicyDocument.Statement as Array<{ Action: string; Effect: string; Resource: unknown[] }>;
  };

  it.each(Object.entries(PARTS))('%s allows execute-api:Invoke on exactly its own routes', (id, fns) => {
    const [statement, ...more] = statementsOf(id);
    expect(more).toEqual([]);
    expect([statement!.Action, statement!.Effect]).toEqual(['execute-api:Invoke', 'Allow']);
    expect(routesOf(statement!.Resource)).toEqual(expected(fns));
    expect(routesOf(statement!.Resource).length).toBeGreaterThan(0);
  });

  it('together they cover every route AdminApiPolicy allows, and no route is in two of them', () => {
    const all = routesOf(statementsOf('AdminApiPolicy')[0]!.Resource);
    const parts = Object.keys(PARTS).flatMap((id) => routesOf(statementsOf(id)[0]!.Resource));
    expect([...parts].sort()).toEqual(all);
  });

  it('each is a stack output', () => {
    const outputs = template.findOutputs('*');
    for (const id of Object.keys(PARTS)) {
      const [policyId] = Object.keys(policies).filter((p) => p.startsWith(`SessionRecovery${id}`));
      expect(outputs[`${id}Arn`]?.Value).toEqual({ Ref: policyId });
    }
  });
});

it('grantEntriesApi, grantMintApi, grantCredentialsApi, grantLegacyKeysApi and grantAdminApi give a role those routes and nothing else', () => {
  const stack = new Stack(templateApp(), 'Operators');
  const service = new SessionRecovery(stack, 'SessionRecovery');
  const roles = {
    entries: new iam.Role(stack, 'EntriesRole', { assumedBy: new iam.AccountRootPrincipal() }),
    mint: new iam.Role(stack, 'MintRole', { assumedBy: new iam.AccountRootPrincipal() }),
    credentials: new iam.Role(stack, 'CredentialsRole', { assumedBy: new iam.AccountRootPrincipal() }),
    legacyKeys: new iam.Role(stack, 'LegacyKeysRole', { assumedBy: new iam.AccountRootPrincipal() }),
    all: new iam.Role(stack, 'AdminRole', { assumedBy: new iam.AccountRootPrincipal() }),
  };
  service.grantEntriesApi(roles.entries);
  service.grantMintApi(roles.mint);
  service.grantCredentialsApi(roles.credentials);
  service.grantLegacyKeysApi(roles.legacyKeys);
  service.grantAdminApi(roles.all);
  const template = Template.fromStack(stack);
  const routesOfRole = (role: iam.Role) => {
    const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string; Resource: unknown[] }>);
    expect(statements.map((s) => s.Action)).toEqual(['execute-api:Invoke']);
    return routesOf(statements[0]!.Resource);
  };
  expect(routesOfRole(roles.entries)).toEqual(expected(['entries']));
  expect(routesOfRole(roles.mint)).toEqual(expected(['mint']));
  expect(routesOfRole(roles.credentials)).toEqual(expected(['credentials']));
  expect(routesOfRole(roles.legacyKeys)).toEqual(expected(['legacy-keys']));
  expect(routesOfRole(roles.all)).toEqual(expected(['entries', 'mint', 'credentials', 'legacy-keys']));
});
