// The add-cluster wizard's logic: field checks that mirror the backend's (the
// backend stays authoritative), the step machine, and certificate helpers.
// Pure functions, unit-tested; AddClusterWizard.svelte only renders them.

import type { Certificate, ClusterState, ErrorInfo, KeptHistory, Probe } from './types';

export const WIZARD_FIELDS = ['name', 'address', 'tokenId', 'secret'] as const;
export type WizardField = (typeof WIZARD_FIELDS)[number];

/** Why a field is wrong: the backend's Params["reason"] vocabulary. */
export type FieldReason =
  | 'empty'
  | 'http'
  | 'badPort'
  | 'badHost'
  | 'noUser'
  | 'noRealm'
  | 'noTokenName'
  | 'badChars'
  | 'duplicate'
  | 'format';

export const FIELD_REASONS: Record<WizardField, readonly FieldReason[]> = {
  name: ['empty', 'duplicate'],
  address: ['empty', 'http', 'badPort', 'badHost'],
  tokenId: ['empty', 'noUser', 'noRealm', 'noTokenName', 'badChars'],
  secret: ['empty', 'format'],
};

export type FieldErrors = Partial<Record<WizardField, string>>;

export interface WizardInput {
  name: string;
  address: string;
  tokenId: string;
  secret: string;
}

export function isWizardField(field: string | undefined): field is WizardField {
  return (WIZARD_FIELDS as readonly string[]).includes(field ?? '');
}

export function checkName(name: string, existing: readonly string[] = []): FieldReason | null {
  const n = name.trim();
  if (!n) return 'empty';
  const lower = n.toLocaleLowerCase();
  if (existing.some((e) => e.trim().toLocaleLowerCase() === lower)) return 'duplicate';
  return null;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/;

/**
 * Accepts host, host:8006, https://host:8006(/), [fd00::1]:8006; refuses
 * http:// (Proxmox only speaks HTTPS), bad ports and bad hosts.
 */
export function checkAddress(address: string): FieldReason | null {
  let a = address.trim();
  if (!a) return 'empty';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(a);
  if (scheme) {
    const s = scheme[1].toLowerCase();
    if (s === 'http') return 'http';
    if (s !== 'https') return 'badHost';
    a = a.slice(scheme[0].length);
  }
  // Path, query and fragment are dropped, as the backend does.
  const cut = a.search(/[/?#]/);
  if (cut >= 0) a = a.slice(0, cut);
  if (!a || a.includes('@')) return 'badHost';
  let host: string;
  let port: string | null = null;
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    if (end < 0) return 'badHost';
    host = a.slice(1, end);
    const rest = a.slice(end + 1);
    if (rest) {
      if (!rest.startsWith(':')) return 'badHost';
      port = rest.slice(1);
    }
    if (!host || !IPV6.test(host) || !host.includes(':')) return 'badHost';
  } else {
    const colons = a.split(':').length - 1;
    if (colons > 1) {
      // A bare IPv6 address without brackets: no port possible.
      if (!IPV6.test(a)) return 'badHost';
      return null;
    }
    [host, port = null] = colons === 1 ? (a.split(':') as [string, string]) : [a, null];
    if (!host || !HOSTNAME.test(host)) return 'badHost';
  }
  if (port !== null) {
    if (!/^\d{1,5}$/.test(port)) return 'badPort';
    const n = Number(port);
    if (n < 1 || n > 65535) return 'badPort';
  }
  return null;
}

// The same rules, in the same order, as the backend (app/validate.go and
// proxmox.ParseTokenID): user is anything but white space, ':', '/', '@', '!'
// and '='; realm and token name are a letter and at least one more character.
const TOKEN_USER = /^[^\s:/@!=]{1,64}$/;
const TOKEN_WORD = /^[A-Za-z][A-Za-z0-9._-]+$/;

/** user@realm!tokenid, as Proxmox shows it under Datacenter → Permissions → API Tokens. */
export function checkTokenId(tokenId: string): FieldReason | null {
  const v = tokenId.trim();
  if (!v) return 'empty';
  if (/[=\s]/.test(v)) return 'badChars'; // the secret pasted along, or spaces
  const bang = v.indexOf('!');
  const userRealm = bang < 0 ? v : v.slice(0, bang);
  const name = bang < 0 ? '' : v.slice(bang + 1);
  if (bang < 0) return v.includes('@') ? 'noTokenName' : 'noUser'; // only the token's name was pasted
  if (!userRealm) return 'noUser';
  if (!userRealm.includes('@')) return 'noRealm';
  if (!name) return 'noTokenName';
  const at = userRealm.indexOf('@');
  const user = userRealm.slice(0, at);
  const realm = userRealm.slice(at + 1);
  if (!TOKEN_USER.test(user) || !TOKEN_WORD.test(realm) || !TOKEN_WORD.test(name)) return 'badChars';
  return null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Proxmox token secrets are UUIDs. */
export function checkSecret(secret: string): FieldReason | null {
  const v = secret.trim();
  if (!v) return 'empty';
  if (!UUID.test(v)) return 'format';
  return null;
}

/** Every client-side field error at once; empty when the form may be sent. */
export function validateInput(input: WizardInput, existingNames: readonly string[] = []): FieldErrors {
  const errors: FieldErrors = {};
  const checks: [WizardField, FieldReason | null][] = [
    ['name', checkName(input.name, existingNames)],
    ['address', checkAddress(input.address)],
    ['tokenId', checkTokenId(input.tokenId)],
    ['secret', checkSecret(input.secret)],
  ];
  for (const [field, reason] of checks) if (reason) errors[field] = reason;
  return errors;
}

/** The trimmed input as it goes to the backend. */
export function cleanInput(input: WizardInput): WizardInput {
  return {
    name: input.name.trim(),
    address: input.address.trim(),
    tokenId: input.tokenId.trim(),
    secret: input.secret.trim(),
  };
}

// --- The step machine -------------------------------------------------------

/**
 * form → probing → certificate → connecting → done. While connecting, a
 * cluster recognised as one removed with its history kept stops at history
 * for the user to take that history back (or not), then connects on.
 */
export type WizardStep = 'form' | 'probing' | 'certificate' | 'connecting' | 'history' | 'done';

export interface WizardState {
  step: WizardStep;
  fieldErrors: FieldErrors;
  /** An error that belongs to no field (network, keychain, token…). */
  error: ErrorInfo | null;
  probe: Probe | null;
  /** The user ticked "I compared the fingerprint". */
  confirmed: boolean;
  /** Kept histories of removed clusters this one is recognised as. */
  kept: KeptHistory[];
  /** The kept history to take back (KeptHistory.id); "" starts an empty one. */
  history: string;
  result: ClusterState | null;
}

export const INITIAL_WIZARD: WizardState = Object.freeze({
  step: 'form',
  fieldErrors: {},
  error: null,
  probe: null,
  confirmed: false,
  kept: [],
  history: '',
  result: null,
}) as WizardState;

export type WizardEvent =
  | { type: 'submit'; errors: FieldErrors }
  | { type: 'probed'; probe: Probe }
  | { type: 'probeFailed'; error: ErrorInfo }
  | { type: 'confirm'; value: boolean }
  | { type: 'trust' }
  | { type: 'keptFound'; kept: KeptHistory[] }
  | { type: 'chooseHistory'; id: string }
  | { type: 'attach' }
  | { type: 'added'; cluster: ClusterState }
  | { type: 'addFailed'; error: ErrorInfo }
  | { type: 'edit'; field?: WizardField }
  | { type: 'back' }
  | { type: 'reset' };

/** An "invalid" error that names a wizard field, as {field, reason}. */
export function fieldErrorOf(error: ErrorInfo): { field: WizardField; reason: string } | null {
  if (error.code !== 'invalid') return null;
  const field = error.params?.field;
  if (!isWizardField(field)) return null;
  return { field, reason: error.params?.reason || 'invalid' };
}

export function wizardReducer(state: WizardState, event: WizardEvent): WizardState {
  switch (event.type) {
    case 'submit':
      if (state.step !== 'form') return state;
      if (Object.keys(event.errors).length > 0) {
        return { ...state, fieldErrors: event.errors, error: null };
      }
      return { ...state, step: 'probing', fieldErrors: {}, error: null };
    case 'probed':
      if (state.step !== 'probing') return state;
      return { ...state, step: 'certificate', probe: event.probe, confirmed: false, error: null };
    case 'probeFailed': {
      if (state.step !== 'probing') return state;
      const fe = fieldErrorOf(event.error);
      if (fe) return { ...state, step: 'form', fieldErrors: { [fe.field]: fe.reason }, error: null };
      return { ...state, step: 'form', error: event.error };
    }
    case 'confirm':
      if (state.step !== 'certificate') return state;
      return { ...state, confirmed: event.value };
    case 'trust':
      if (state.step !== 'certificate' || !state.confirmed || !state.probe) return state;
      return { ...state, step: 'connecting', error: null, kept: [], history: '' };
    case 'keptFound':
      if (state.step !== 'connecting') return state;
      // Nothing kept for this cluster: it connects on with an empty history.
      if (event.kept.length === 0) return state;
      // The user kept this history to get it back: offered first.
      return { ...state, step: 'history', kept: event.kept, history: event.kept[0].id };
    case 'chooseHistory':
      if (state.step !== 'history') return state;
      if (event.id !== '' && !state.kept.some((k) => k.id === event.id)) return state;
      return { ...state, history: event.id };
    case 'attach':
      if (state.step !== 'history') return state;
      return { ...state, step: 'connecting' };
    case 'added':
      if (state.step !== 'connecting') return state;
      return { ...state, step: 'done', result: event.cluster, error: null };
    case 'addFailed': {
      if (state.step !== 'connecting') return state;
      const fe = fieldErrorOf(event.error);
      // A field the user must change (a duplicate name…): back to the form.
      if (fe) return { ...state, step: 'form', fieldErrors: { [fe.field]: fe.reason }, error: null, kept: [], history: '' };
      // Anything else is shown on the form: the secret must be typed again
      // (it is cleared after every attempt), and a new probe shows the
      // certificate as it is now.
      return { ...state, step: 'form', probe: null, confirmed: false, error: event.error, kept: [], history: '' };
    }
    case 'edit': {
      if (!event.field || !state.fieldErrors[event.field]) return state;
      const fieldErrors = { ...state.fieldErrors };
      delete fieldErrors[event.field];
      return { ...state, fieldErrors };
    }
    case 'back':
      if (state.step !== 'certificate') return state;
      return { ...state, step: 'form', probe: null, confirmed: false, error: null };
    case 'reset':
      return INITIAL_WIZARD;
  }
}

/** The kept history the cluster took back, once added; null if it started empty. */
export function reattached(state: WizardState): KeptHistory | null {
  if (state.step !== 'done' || !state.history) return null;
  return state.kept.find((k) => k.id === state.history) ?? null;
}

/** Errors that mean the secret was wrong: the user must type it again. */
export function needsNewSecret(error: ErrorInfo | null): boolean {
  return error?.code === 'unauthorized';
}

// --- Certificates -----------------------------------------------------------

/** "AB:CD:EF:…" as groups of `size` bytes, each still colon-separated. */
export function fingerprintGroups(fingerprint: string, size = 4): string[] {
  const bytes = fingerprint
    .trim()
    .split(':')
    .filter((b) => b !== '');
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += size) groups.push(bytes.slice(i, i + size).join(':'));
  return groups;
}

export type Validity = 'valid' | 'expired' | 'notYetValid';

export function certValidity(cert: Pick<Certificate, 'notBefore' | 'notAfter'>, now: number): Validity {
  if (cert.notAfter && now > cert.notAfter) return 'expired';
  if (cert.notBefore && now < cert.notBefore) return 'notYetValid';
  return 'valid';
}

/** Two fingerprints name the same certificate (case and separators aside). */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return norm(a) !== '' && norm(a) === norm(b);
}
