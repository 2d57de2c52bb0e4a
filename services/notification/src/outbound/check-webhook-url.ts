import { UnprocessableError, UpstreamError } from '@countersign/platform';
import { checkWebhookUrl, type TestTargets } from '../domain/webhook-url.js';
import { RefusedTargetError, type Resolver, resolvePublic } from './resolve-public.js';

/** Judges a URL at registration; answers it normalised, or throws a 422 saying why. */
export type WebhookUrlCheck = (raw: string) => Promise<string>;

const unresolvable = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME']);
/** Registration waits this long for DNS: well inside the gateway's 5 s upstream timeout. */
const RESOLVE_TIMEOUT_MS = 3_000;

function withTimeout(resolve: Resolver): Resolver {
  return (host) =>
    new Promise((done, fail) => {
      const timer = setTimeout(
        () => fail(Object.assign(new Error(`resolving ${host} timed out`), { code: 'ETIMEOUT' })),
        RESOLVE_TIMEOUT_MS,
      );
      resolve(host).then(
        (addresses) => {
          clearTimeout(timer);
          done(addresses);
        },
        (error: unknown) => {
          clearTimeout(timer);
          fail(error);
        },
      );
    });
}

export function createWebhookUrlCheck(
  testTargets: TestTargets,
  resolver: Resolver,
): WebhookUrlCheck {
  const resolve = withTimeout(resolver);
  return async (raw) => {
    const verdict = checkWebhookUrl(raw, testTargets);
    if (!verdict.ok)
      throw new UnprocessableError(`url refused: ${verdict.reason}`, 'webhook-url-refused');
    if (verdict.literalAddress || verdict.testTarget) return verdict.url.href;
    try {
      await resolvePublic(verdict.host, resolve);
    } catch (error) {
      if (error instanceof RefusedTargetError) {
        throw new UnprocessableError(`url refused: ${error.message}`, 'webhook-url-refused');
      }
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (unresolvable.has(code)) {
        throw new UnprocessableError(
          `url refused: ${verdict.host} does not resolve`,
          'webhook-url-unresolvable',
        );
      }
      throw new UpstreamError(`could not resolve ${verdict.host} right now; try again shortly`);
    }
    return verdict.url.href;
  };
}
