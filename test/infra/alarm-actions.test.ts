import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

/*
 * `cdk synth -c alarmEmail=…` or `-c alarmTopicArn=…` (README, Alarms that reach
 * someone): the CDK app as cdk runs it (CDK_CONTEXT_JSON, with its cdk-nag
 * checks), without bundling the Lambdas. Every alarm, the Function URLs' too,
 * notifies the topic when it fires and when it is over.
 */

const root = path.join(import.meta.dirname, '..', '..');
type Resource = { Type: string; Properties: Record<string, unknown> };

const synth = (context: Record<string, string>): { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> } => {
  const out = mkdtempSync(path.join(tmpdir(), 'sr-alarms-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin', 'session-recovery.ts')], {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ stackName: 'Alarmed', ...context, 'aws:cdk:bundling-stacks': [] }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return JSON.parse(readFileSync(path.join(out, 'Alarmed.template.json'), 'utf8'));
  } catch (error) {
    throw new Error(String((error as { stderr?: Buffer }).stderr ?? error), { cause: error });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
const alarmsOf = (t: ReturnType<typeof synth>) => Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

describe('alarmEmail', () => {
  let template: ReturnType<typeof synth>;
  beforeAll(() => {
    template = synth({ alarmEmail: 'ops@example.com', currentContractFunctionUrl: 'true' });
  }, 120_000);

  it('creates a topic with the address subscribed, and every alarm notifies it on alarm and back to OK', () => {
    const topics = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId] = topics[0]!;
    const subscriptions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
    expect(subscriptions.map((r) => r.Properties)).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } }]);
    const alarms = alarmsOf(template);
    // The API's, and each Function URL's (the legacy one and the current contract's).
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    for (const [id, alarm] of alarms) {
      expect([id, alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([id, [{ Ref: topicId }], [{ Ref: topicId }]]);
    }
    expect(template.Outputs.AlarmTopicArn).toEqual(expect.objectContaining({ Value: { Ref: topicId } }));
  });

  it('accepts only SSL to the topic', () => {
    const policy = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')!;
    expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
  });
});

it('alarmTopicArn: every alarm notifies the existing topic, and the stack creates none', () => {
  const arn = 'arn:aws:sns:eu-west-1:111122223333:ops-alarms';
  const template = synth({ alarmTopicArn: arn });
  expect(Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::SNS::'))).toEqual([]);
  const alarms = alarmsOf(template);
  expect(alarms.length).toBeGreaterThanOrEqual(8);
  for (const [id, alarm] of alarms) expect([id, alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([id, [arn], [arn]]);
}, 120_000);

/*
 * The refusals are the stack's (lib/session-recovery-stack.ts), which bin/ hands the two context keys to as they are
 * (the synths above show it does): checked on the stack in this process, without an app process each.
 */
it.each([
  [{ email: 'ops@example.com', topicArn: 'arn:aws:sns:eu-west-1:111122223333:ops' }, 'give one, not both'],
  [{ email: 'ops' }, 'alarmEmail must be an email address'],
  [{ topicArn: 'ops' }, 'alarmTopicArn must be an SNS topic ARN'],
])('refuses alarms %j', (alarms, message) => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Alarmed', { alarms })).toThrow(message);
});
