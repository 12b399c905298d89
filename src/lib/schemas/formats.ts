// The string formats the validators check, one table per flavour (see compiled.ts). The code that
// scripts/build.mjs generates reads these same tables, so generated and run-time validators agree.
import { fastFormats, fullFormats } from 'ajv-formats/dist/formats';
import type { Flavour, FormatTable } from './compiled';

const documented: FormatTable = { uuid: fullFormats.uuid, 'date-time': fullFormats['date-time'], uri: fullFormats.uri };
/** A link's full RFC 3986 check costs 10 ms on a 1 MB link; the fast one 1 ms (see validation.ts). */
const delivery: FormatTable = { uuid: fullFormats.uuid, 'date-time': fullFormats['date-time'], uri: fastFormats.uri };

export const FORMATS: Readonly<Record<Flavour, FormatTable>> = {
  documented,
  'delivery-first-error': delivery,
  'delivery-all-errors': delivery,
};
