// "fetch artifacts": downloads the recordings and transcripts of a `bot.completed` delivery
// (or a GET /v2/bots/{id} answer), to files or into messages, with fresh links when they expired.
import { setMaxListeners } from 'node:events';
import { isAbsolute, resolve } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { ARTIFACT_FIELDS, type ArtifactName } from '../../lib/artifacts/names';
import type { Problem } from '../../lib/problem';
import { isRecord } from '../../lib/records';
import { parseHostList, type AddressPolicy } from '../../lib/artifacts/address-policy';
import { fetchArtifacts, type Failure, type FetchSettings, type Outcome } from '../../lib/artifacts/fetch';
import { templateProblem } from '../../lib/artifacts/file-names';
import { removeStalePartials } from '../../lib/artifacts/temporary-file';
import { createHttpClient } from '../../lib/artifacts/http-client';
import { parseArtifactList, readArtifactRequest, type SkipReason } from '../../lib/artifacts/input';
import { Limiter } from '../../lib/artifacts/limiter';
import { readAccount } from '../shared/account';
import { ARTIFACTS_DEFAULTS, ARTIFACTS_DIRECTORY } from '../shared/defaults';
import { sayApiProblemWith } from '../shared/problems';
import { journalRefOf, reportFailed, reportFinished, reportInterrupted, reportSaved } from '../shared/finishing';
import { linkRefresher } from './link-refresh';
import { outputMessages, savedFiles, type Msg, type OutputOptions } from './output-messages';

interface ArtifactsDef extends NodeDef {
  account?: string;
  artifacts?: string[] | string;
  mode?: string;
  directory?: string;
  template?: string;
  output?: string;
  subtitles?: string;
  maxMessageMB?: number | string;
  maxFileMB?: number | string;
  hosts?: string;
  concurrency?: number | string;
  retries?: number | string;
  stallSeconds?: number | string;
  allowLocal?: boolean | string;
}

const MB = 1024 * 1024;
const STATUS_EVERY_MS = 500;
/** Below Node-RED's 15 s close timeout, after which it would log the node as failing to stop. */
const CLOSE_WAIT_MS = 10_000;
/** Partial downloads of meetings whose delivery has not come back for this long are removed at start. */
const STALE_PARTIAL_MS = 7 * 24 * 60 * 60 * 1000;

function numberOr(value: unknown, fallback: number, min = 0): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= min ? n : fallback;
}

function megabytes(bytes: number): string {
  return (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
}

/** A close stopped the work: not a failure of the delivery, which is sent again. */
class StoppedByClose extends Error {
  override readonly name = 'StoppedByClose';
}

/** `msg.meetingbaas.redelivered` of callback in: the delivery is sent again after a restart. */
function isRedelivery(msg: Msg): boolean {
  const meta = msg.meetingbaas;
  return isRecord(meta) && meta.redelivered !== undefined;
}

export = (RED: NodeAPI): void => {
  function MeetingBaasArtifacts(this: Node, def: ArtifactsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, vars?: Record<string, string | number>): string => RED._(`meetingbaas-artifacts.${key}`, vars);
    const sayApiProblem = sayApiProblemWith(RED);

    const mode = def.mode === 'file' ? 'file' : 'message';
    const single = def.output === 'single';
    const subtitles = def.subtitles === 'srt' || def.subtitles === 'vtt' ? def.subtitles : 'none';
    const template = def.template?.trim() || ARTIFACTS_DEFAULTS.template;
    const allowLocal = def.allowLocal === true || def.allowLocal === 'true';
    const configured = parseArtifactList(def.artifacts);
    const userDir = RED.settings.userDir ?? process.cwd();
    const directoryOf = (value: unknown): string => {
      const dir = typeof value === 'string' && value.trim() !== '' ? value.trim() : ARTIFACTS_DIRECTORY;
      return isAbsolute(dir) ? dir : resolve(userDir, dir);
    };
    const base: Omit<FetchSettings, 'directory'> = {
      mode,
      template,
      subtitles,
      maxMessageBytes: numberOr(def.maxMessageMB, ARTIFACTS_DEFAULTS.maxMessageMB, 0.001) * MB,
      maxFileBytes: numberOr(def.maxFileMB, 0) > 0 ? numberOr(def.maxFileMB, 0) * MB : Number.MAX_SAFE_INTEGER,
    };

    const problem = mode === 'file' ? templateProblem(template) : null;
    if (problem) {
      node.status({ fill: 'red', shape: 'ring', text: t('status.badTemplate') });
      node.error(t('errors.badTemplate', { problem: t(`fileNames.${problem.code}`, problem.params) }));
      return;
    }

    const account = readAccount(RED, def.account);
    const policy: AddressPolicy = { allowLocal, hosts: parseHostList(def.hosts) };
    const client = createHttpClient({
      policy,
      retries: Math.round(numberOr(def.retries, ARTIFACTS_DEFAULTS.retries)),
      stallTimeoutMs: numberOr(def.stallSeconds, ARTIFACTS_DEFAULTS.stallSeconds, 0.1) * 1000,
    });
    // The API is wherever the account says, reached through the API client's own rules: neither
    // the storage allowlist nor "allow http and local addresses" is about it.
    const apiClient = linkRefresher(account.baseUrl, account.credentials.apiKey || undefined);
    const limiter = new Limiter(Math.max(1, Math.round(numberOr(def.concurrency, ARTIFACTS_DEFAULTS.concurrency, 1))));
    const closing = new AbortController();
    // Every download and every download waiting for a slot listens to this one signal.
    setMaxListeners(10_000, closing.signal);
    const running = new Set<Promise<void>>();

    // Progress of the downloads under way, shown a few times a second at most.
    const progress = new Map<string, { artifact: ArtifactName; received: number; expected: number | null; started: number }>();
    const totals = { fetched: 0, skipped: 0, failed: 0 };
    let statusTimer: NodeJS.Timeout | null = null;
    const showStatus = (): void => {
      statusTimer = null;
      const last = [...progress.values()].pop();
      if (last) {
        const seconds = Math.max(0.001, (Date.now() - last.started) / 1000);
        const rate = (last.received / MB / seconds).toFixed(1);
        const done = last.expected ? `${Math.floor((last.received / last.expected) * 100)}%` : `${megabytes(last.received)} MB`;
        const more = progress.size > 1 ? ` (+${progress.size - 1})` : '';
        node.status({ fill: 'blue', shape: 'dot', text: t('status.progress', { artifact: last.artifact, done, rate, more }) });
        return;
      }
      const parts = [t('status.fetched', { count: totals.fetched })];
      if (totals.skipped) parts.push(t('status.skipped', { count: totals.skipped }));
      if (totals.failed) parts.push(t('status.failed', { count: totals.failed }));
      node.status({ fill: totals.failed ? 'red' : 'green', shape: 'dot', text: parts.join(' · ') });
    };
    const scheduleStatus = (): void => {
      if (statusTimer === null && !closing.signal.aborted) statusTimer = setTimeout(showStatus, STATUS_EVERY_MS);
    };

    const skipMessage = (artifact: ArtifactName, reason: SkipReason): string => t(`skipped.${reason}`, { artifact });

    /** The codes of what went wrong, in words: each family of codes has its group in the locale. */
    const sayProblem = (kind: Failure['kind'], found: Problem): string => {
      const { code, params } = found;
      if (kind === 'refresh') return sayApiProblem(found);
      if (kind === 'refused') return t(`refusals.${code}`, params);
      if (kind === 'parse') return t(`parseProblems.${code}`, params);
      return t(`fileNames.${code}`, params);
    };

    const failureMessage = (artifact: ArtifactName, failure: Failure): string => {
      const vars = {
        artifact,
        detail: failure.problems && failure.problems.length > 0 ? failure.problems.map((p) => sayProblem(failure.kind, p)).join('; ') : failure.detail,
        status: failure.statusCode ?? '',
        size: failure.size !== undefined ? megabytes(failure.size) : '?',
        limit: failure.limit !== undefined ? megabytes(failure.limit) : '?',
        received: failure.size ?? '?',
        announced: failure.expected ?? '?',
        wait: failure.retryAfterSeconds ?? '?',
      };
      if (failure.kind === 'refresh' && failure.apiError) return t('errors.refresh', { ...vars, detail: t(`api.${failure.apiError}`, vars) });
      if (failure.needsApiKey) return t(failure.kind === 'expired' ? 'errors.expiredNoKey' : 'errors.forbiddenNoKey', vars);
      if (failure.kind === 'too-large') return t(mode === 'message' ? 'errors.tooLargeForMessage' : 'errors.tooLargeForFile', vars);
      if ((failure.kind === 'expired' || failure.kind === 'forbidden') && failure.refreshed) return t('errors.refusedAfterRefresh', vars);
      return t(`errors.${failure.kind}`, vars);
    };

    const handle = async (msg: Msg, send: (msg: NodeMessage | Array<NodeMessage | null>) => void): Promise<void> => {
      const override = msg.artifacts !== undefined ? parseArtifactList(msg.artifacts) : configured;
      if (override.unknown.length > 0) throw new Error(t('errors.unknownArtifacts', { names: override.unknown.join(', ') }));
      const request = readArtifactRequest(msg.payload, override.names);
      if (!request) throw new Error(t('errors.noPayload'));
      const settings: FetchSettings = { ...base, directory: directoryOf(msg.directory ?? def.directory), keepSaved: isRedelivery(msg) || msg.keepSaved === true };
      const botId = request.botId;

      const outputs: Omit<OutputOptions, 'single'> = {
        botId,
        clone: (input) => RED.util.cloneMessage(input),
        skipText: skipMessage,
      };

      // What left this node: after a close, the rest is reported as stopped.
      const delivered = new Set<ArtifactName>();
      const onOutcome = (outcome: Outcome): void => {
        progress.delete(`${msg._msgid}:${outcome.artifact}`);
        totals[outcome.status] += 1;
        scheduleStatus();
        if (single || closing.signal.aborted) return;
        const [fetched, skipped] = outputMessages(msg, [outcome], { ...outputs, single: false });
        for (const out of fetched) send([out, null]);
        for (const out of skipped) send([null, out]);
        if (outcome.status === 'fetched') delivered.add(outcome.artifact);
      };

      const outcomes = await fetchArtifacts(
        request,
        settings,
        {
          client,
          policy,
          refresh: apiClient.refresh,
          limiter,
          signal: closing.signal,
          onProgress: (artifact, received, expected) => {
            const key = `${msg._msgid}:${artifact}`;
            const entry = progress.get(key) ?? { artifact, received: 0, expected, started: Date.now() };
            entry.received = received;
            entry.expected = expected;
            progress.set(key, entry);
            scheduleStatus();
          },
        },
        onOutcome,
      );
      reportSaved(msg, savedFiles(outcomes));

      if (closing.signal.aborted) {
        const failedOtherwise = outcomes.flatMap((o) => (o.status === 'failed' && o.failure.kind !== 'aborted' ? [o] : []));
        // In the order they were asked for, each as the artifact name it is.
        const asked = Object.keys(request.urls).flatMap((name) => ARTIFACT_FIELDS.filter((artifact) => artifact === name));
        const stopped = asked.filter(
          (artifact) => !delivered.has(artifact) && !failedOtherwise.some((o) => o.artifact === artifact),
        );
        const others = failedOtherwise.map((o) => failureMessage(o.artifact, o.failure));
        if (stopped.length === 0) {
          if (others.length > 0) throw new Error(others.join(' '));
          return;
        }
        const vars = { botId: botId ?? '?', artifacts: stopped.join(', ') };
        // Meeting BaaS was told 200 long ago and sends nothing again: without a journal, the log is
        // where a user learns what to fetch anew; with one, the callback node sends it again.
        const journaled = journalRefOf(msg) !== null;
        node.warn(t(journaled ? 'warnings.stoppedJournaled' : 'warnings.stopped', vars));
        throw new StoppedByClose([t('errors.stopped', vars), ...others].join(' '));
      }
      const failures = outcomes.flatMap((o) => (o.status === 'failed' ? [failureMessage(o.artifact, o.failure)] : []));
      if (single) {
        const [[out]] = outputMessages(msg, outcomes, { ...outputs, single: true });
        if (out) send([out, null]);
      }
      if (failures.length > 0) throw new Error(failures.join(' '));
    };

    // The callback node that journaled the delivery learns how it went: all saved or skipped is
    // finished; stopped by a close, sent again once the flows run; any other error, one attempt used.
    node.on('input', (msg, send, done) => {
      const task = handle(msg, send).then(
        () => {
          reportFinished(msg);
          done();
        },
        (error: unknown) => {
          scheduleStatus();
          const failure = error instanceof Error ? error : new Error(String(error));
          if (failure instanceof StoppedByClose) reportInterrupted(msg);
          else reportFailed(msg, failure.message);
          done(failure);
        },
      );
      running.add(task);
      void task.finally(() => running.delete(task));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing.abort();
      if (statusTimer) clearTimeout(statusTimer);
      // Downloads remove their temporary files and report what they stopped as they abort: wait
      // for that before saying closed, but not past Node-RED's close timeout.
      let bound: NodeJS.Timeout | undefined;
      const timeLimit = new Promise<void>((resolve) => {
        bound = setTimeout(resolve, CLOSE_WAIT_MS);
        bound.unref();
      });
      void Promise.race([Promise.allSettled([...running]), timeLimit])
        .then(() => Promise.race([Promise.allSettled([client.close(), apiClient.close()]), timeLimit]))
        .then(() => {
          clearTimeout(bound);
          done();
        });
    });

    if (mode === 'file') {
      // Only as deep as the template's folders: an archive of saved meetings is not walked.
      void removeStalePartials(directoryOf(def.directory), template.split('/').length - 1, STALE_PARTIAL_MS);
    }

    node.status({});
  }

  RED.nodes.registerType('meetingbaas-artifacts', MeetingBaasArtifacts);
};
