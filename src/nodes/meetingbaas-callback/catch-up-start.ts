// Starting a callback node's catch-up once the flows run: the API client it looks with, the
// meetings it leaves out (those the flow already had), the intake it hands the others to, and what
// it says in the status and the log. Its close stops the looks and the API call under way.
import { MeetingBaasApi } from '../../lib/api';
import { catchUpApiOf } from '../../lib/delivery/catch-up-api';
import type { RedisClaims } from '../../lib/delivery/redis-claims';
import type { Account } from '../shared/account';
import { CATCH_UP_TIMING, CatchingUp, DamagedCheckpoint } from './catching-up';
import { journaledMeeting } from './claims';
import type { Intake } from './intake';
import type { JournaledDeliveries } from './journaling';
import type { CallbackStatus, StatusSink, Translate } from './status';

export interface CatchUpParts {
  readonly account: Pick<Account, 'baseUrl' | 'credentials'>;
  /** The checkpoint file of the node. */
  readonly file: string;
  readonly everyMs: number;
  readonly journal: Promise<JournaledDeliveries | null>;
  readonly intake: Intake;
  /** With a shared store, one instance at a time looks (the claims keep the meetings apart anyway). */
  readonly shared: RedisClaims | null;
  readonly status: CallbackStatus;
  readonly t: Translate;
  readonly sink: Pick<StatusSink, 'log' | 'warn'>;
  /** An error of the catch-up in words: an API error with its problems said. */
  errorText(error: unknown): string;
}

export interface RunningCatchUp {
  /** `removed`: the node was deleted, and its checkpoint goes with it. */
  close(removed: boolean): Promise<void>;
}

/** Null when it cannot run (no API key, an unusable API address, an unexpected error) or the node closed meanwhile. */
export function startCatchUp(parts: CatchUpParts): Promise<RunningCatchUp | null> {
  return start(parts).catch((error: unknown) => {
    parts.status.failed(error);
    return null;
  });
}

async function start(parts: CatchUpParts): Promise<RunningCatchUp | null> {
  const { t, sink, status, intake } = parts;
  const { baseUrl, credentials } = parts.account;
  // An example imported as it is has no key yet: said in the status and the log, not as a warning.
  if (!credentials.apiKey) {
    sink.log(t('log.catchUpNoKey'));
    status.catchUp({ withoutKey: true });
    return null;
  }
  let api: MeetingBaasApi;
  try {
    api = new MeetingBaasApi({ baseUrl, apiKey: credentials.apiKey });
  } catch (error) {
    sink.warn(t('warnings.catchUpUnavailable', { detail: parts.errorText(error) }));
    return null;
  }
  // A close aborts the call under way: a deploy does not wait for the API.
  const stop = new AbortController();
  const journal = await parts.journal;
  const catchingUp = await CatchingUp.start({
    file: parts.file,
    api: catchUpApiOf(api, stop.signal),
    timing: { ...CATCH_UP_TIMING, everyMs: parts.everyMs },
    deliveredBots: () => {
      const bots = new Set(intake.deliveredBots);
      for (const entry of journal?.entries() ?? []) {
        if (typeof entry.meta.botId === 'string' && journaledMeeting(entry) !== null) bots.add(entry.meta.botId.toLowerCase());
      }
      return bots;
    },
    deliver: (botId, delivery) => intake.recover(botId, delivery),
    ...(parts.shared ? { lock: parts.shared.lock('catch-up'), shared: parts.shared.rising('catch-up-covered-until') } : {}),
    events: {
      failed: (error, retryInMs) => {
        if (!status.isCatchUpFailing) sink.warn(t('warnings.catchUpFailed', { detail: parts.errorText(error), seconds: Math.round(retryInMs / 1000) }));
        status.catchUp({ failing: true });
      },
      resumed: () => {
        status.catchUp({ failing: false });
        sink.log(t('log.catchUpResumed'));
      },
      checkpointProblem: (error) => {
        const detail = error instanceof DamagedCheckpoint ? t('warnings.damagedCheckpoint', { file: error.file }) : String(error);
        sink.warn(t('warnings.catchUpCheckpoint', { detail }));
      },
      behind: ({ reason, since }) => {
        const params = { since: new Date(since).toISOString() };
        sink.warn(reason === 'page-limit' ? t('warnings.catchUpBehind', params) : t('warnings.catchUpStuckCursor', params));
      },
      caughtUp: () => sink.log(t('log.catchUpCaughtUp')),
    },
  });
  const running: RunningCatchUp = {
    close: async (removed) => {
      await catchingUp.close(removed);
      stop.abort();
      await api.close();
    },
  };
  if (intake.isClosed) {
    await running.close(false);
    return null;
  }
  return running;
}
