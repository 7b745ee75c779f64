import { COMMON_PASSWORDS } from "./common-passwords.ts";

/**
 * Why a password is too easy to guess, as the sentence the user reads, or null when it is acceptable. Length is
 * checked elsewhere (credentials.ts); these rules refuse what an online attacker tries first even within the
 * length limits: common passwords (also with case, digits or symbols around them, leetspeak or spaces), one
 * character repeated, a short pattern repeated, a run like 12345678 or abcdefgh, a keyboard walk like qwertyui or
 * 1qaz2wsx, and anything containing the username.
 */
export function weakPasswordReason(password: string, username?: string): string | null {
  const lower = password.toLowerCase();
  const chars = [...lower];
  if (new Set(chars).size === 1) return "password must not be one character repeated";
  if (username !== undefined && username.length > 0 && containsName(lower, username.toLowerCase())) {
    return "password must not contain the username";
  }
  if (isCommon(lower)) return "password is too common; choose a longer one that others would not guess";
  if (isRepeatedPattern(chars)) return "password must not be a short pattern repeated (like abababab)";
  if (isSequence(chars)) return "password must not be a simple sequence (like 12345678 or abcdefgh)";
  if (isKeyboardWalk(chars)) return "password must not be a keyboard pattern (like qwertyui or 1qaz2wsx)";
  return null;
}

function containsName(password: string, name: string): boolean {
  return password.includes(name) || password.includes([...name].reverse().join(""));
}

const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
};

/** The forms of a password people derive from a common one: spaces out, digits and symbols around it, leetspeak. */
function variants(lower: string): string[] {
  const joined = lower.replace(/\s+/g, "");
  const trimmed = joined.replace(/[^\p{L}]+$/u, "");
  const core = trimmed.replace(/^[^\p{L}]+/u, "");
  // A derived form shorter than 4 letters ("pal" out of "_Pal<)|.") is no longer the common password it resembles.
  const derived = [joined, trimmed, core, deleet(joined), deleet(trimmed), deleet(core)];
  return [lower, ...derived.filter((form) => form.length >= 4)];
}

function deleet(value: string): string {
  return [...value].map((char) => LEET[char] ?? char).join("");
}

function isCommon(lower: string): boolean {
  return variants(lower).some((form) => COMMON_PASSWORDS.has(form));
}

/** `unit` repeated (the last copy may be cut short), the unit at most 4 characters: abababab, abcabcab, 12121212. */
function isRepeatedPattern(chars: string[]): boolean {
  for (let unit = 2; unit <= 4 && unit * 2 <= chars.length; unit++) {
    if (chars.every((char, i) => char === chars[i % unit])) return true;
  }
  return false;
}

interface RingPoint {
  value: number;
  /** 10 for digits (9 → 0 continues a run), 0 for letters (no wrap). */
  wrap: number;
}

function ringPoint(char: string): RingPoint | null {
  if (/^[a-z]$/.test(char)) return { value: char.charCodeAt(0) - 97, wrap: 0 };
  if (/^\d$/.test(char)) return { value: Number(char), wrap: 10 };
  return null;
}

function stepBetween(a: RingPoint, b: RingPoint): number | null {
  if (a.wrap !== b.wrap) return null;
  const raw = b.value - a.value;
  return a.wrap === 0 ? raw : ((raw + 15) % 10) - 5;
}

/** Every step the same (±1 or ±2) within the letters or within the digits: 12345678, 7890123, abcdefgh, 97531. */
function isSequence(chars: string[]): boolean {
  const points = chars.map(ringPoint);
  if (!points.every((point) => point !== null)) return false;
  const steps = points.slice(1).map((point, i) => stepBetween(points[i] as RingPoint, point));
  const first = steps[0];
  if (first === undefined || first === null || first === 0 || Math.abs(first) > 2) return false;
  return steps.every((step) => step === first);
}

/** Unshifted US keyboard rows and how far each row starts to the right of the one above (in key widths). */
const ROWS: ReadonlyArray<readonly [string, number]> = [
  ["`1234567890-=", 0],
  ["qwertyuiop[]\\", 1.5],
  ["asdfghjkl;'", 1.75],
  ["zxcvbnm,./", 2.25],
];
const SHIFTED: Readonly<Record<string, string>> = Object.fromEntries(
  [...'~!@#$%^&*()_+{}|:"<>?'].map((char, i) => [char, "`1234567890-=[]\\;',./"[i] ?? char]),
);
const KEYS: ReadonlyMap<string, { row: number; x: number }> = new Map(
  ROWS.flatMap(([row, offset], rowIndex) => [...row].map((char, i) => [char, { row: rowIndex, x: offset + i }])),
);

function keyOf(char: string): { row: number; x: number } | undefined {
  return KEYS.get(SHIFTED[char] ?? char);
}

/** Same key, the next key in a row, or a touching key in the row above or below. */
function touching(a: { row: number; x: number }, b: { row: number; x: number }): boolean {
  const dx = Math.abs(a.x - b.x);
  if (a.row === b.row) return dx <= 1;
  return Math.abs(a.row - b.row) === 1 && dx <= 0.8;
}

/**
 * A walk over touching keys, allowing one jump per four keys so that walks in strips (1qaz2wsx, qazwsxedc) count:
 * random passwords of 8+ characters almost never have that many touching neighbours in a row.
 */
function isKeyboardWalk(chars: string[]): boolean {
  let jumps = 0;
  for (let i = 1; i < chars.length; i++) {
    const from = keyOf(chars[i - 1] as string);
    const to = keyOf(chars[i] as string);
    if (!from || !to || !touching(from, to)) jumps++;
  }
  return jumps <= Math.floor((chars.length - 1) / 4);
}
