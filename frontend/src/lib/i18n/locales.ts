// Pure translation machinery: dictionaries, locale detection, interpolation
// and plural selection. The reactive layer on top is index.svelte.ts.

import { en, type MessageKey, type Messages } from './en';
import { ptBR } from './pt-BR';

export const LOCALES = ['en', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const dictionaries: Record<Locale, Messages> = { en, 'pt-BR': ptBR };

export type { MessageKey, Messages };

/** Keys that come as a ".one"/".other" pair, named without the suffix. */
export type PluralKey = MessageKey extends infer K
  ? K extends `${infer Base}.one`
    ? Base
    : never
  : never;

export type Params = Readonly<Record<string, string | number>>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * Maps one language tag to a supported locale, or null. Accepts BCP 47
 * ("pt-BR") and POSIX ("pt_BR.UTF-8") spellings; any Portuguese becomes
 * pt-BR, the only Portuguese we have.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lang = tag.trim().toLowerCase().split(/[-_.@]/)[0];
  if (lang === 'pt') return 'pt-BR';
  if (lang === 'en') return 'en';
  return null;
}

/**
 * The locale to start in: the OS locale Go reported first, then the webview's
 * languages in order; English when none of them is supported.
 */
export function detectLocale(
  envLocale: string | null | undefined,
  languages: readonly string[] = [],
): Locale {
  for (const tag of [envLocale, ...languages]) {
    const match = matchLocale(tag);
    if (match) return match;
  }
  return DEFAULT_LOCALE;
}

/** Replaces {name} with params.name; unknown placeholders stay visible. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The {placeholders} a message uses, sorted: the parity test compares them. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/**
 * Picks the ".one" or ".other" key for count. Zero takes "other" in every
 * locale: CLDR files 0 under "one" in Portuguese, but "0 VMs" reads right
 * and "0 VM" does not.
 */
export function pluralKey(locale: Locale, base: PluralKey, count: number): MessageKey {
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  const category = count !== 0 && rules.select(count) === 'one' ? 'one' : 'other';
  return `${base}.${category}` as MessageKey;
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = dictionaries[locale][key] ?? dictionaries[DEFAULT_LOCALE][key] ?? key;
  return interpolate(template, params);
}

export function translatePlural(
  locale: Locale,
  base: PluralKey,
  count: number,
  params?: Params,
): string {
  return translate(locale, pluralKey(locale, base, count), { count, ...params });
}
