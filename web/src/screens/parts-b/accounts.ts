/** The company's chart of accounts (GET /v1/company), for names beside account codes. */
import { api } from '../../api';
import { useLoad } from '../../components/ui';

export interface Account { code: string; name: string }

/** Code → name; empty until loaded or when the company cannot be read (codes alone still work). */
export function useAccounts(): Map<string, string> {
  const [load] = useLoad(() => api<{ accounts: Account[] }>('/v1/company'), []);
  return new Map(load.state === 'ok' ? load.data.accounts.map((a) => [a.code, a.name]) : []);
}

export const accountText = (names: Map<string, string>, code: string): string => {
  const name = names.get(code);
  return name ? `${code} ${name}` : code;
};
