import { attributeResume, classifyResume, EARLY_RESUME_SECONDS } from '../../lambdas/domain/recovery';
import { linkDigest } from '../../lambdas/domain/link-digest';
import { setting } from '../../lambdas/runtime/environment';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

it('EARLY_RESUME_SECONDS is a setting: 30 s unless the environment says otherwise', () => {
  expect([setting('EARLY_RESUME_SECONDS', {}), EARLY_RESUME_SECONDS, setting('EARLY_RESUME_SECONDS', { EARLY_RESUME_SECONDS: '0' })]).toEqual([30, 30, 0]);
});

it('the early window is the one given: a resume younger than it is early, by its timing', () => {
  expect([classifyResume(4, CHROME, 5), classifyResume(5, CHROME, 5), classifyResume(0, CHROME, 0), classifyResume(29, CHROME)]).toEqual([
    'early',
    'human',
    'human',
    'early',
  ]);
});

it("a resume's attribution uses the window it is given", () => {
  const token = 'a'.repeat(64);
  const mintedAt = 1_800_000_000;
  const entry = {
    entryId: 'entry_1',
    projectId: 'proj_1',
    flowId: 'flow_1',
    currentPageKey: 'p',
    userData: {},
    links: { [linkDigest(token)]: { campaign: 'spring', mintedAt } },
  };
  const at = (mintedAt + 3) * 1000;
  expect([attributeResume(entry, token, at, CHROME).kind, attributeResume(entry, token, at, CHROME, 0).kind]).toEqual(['early', 'human']);
});
