/** The company's chart of accounts (GET /v1/company), for names beside account codes. */
import { useMemo } from 'preact/hooks';
import { api } from '../../api';
import { useLoad } from '../../components/ui';
import type { CompanyData } from '../../wire';

/** Code → name; empty until loaded or when the company cannot be read (codes alone still work). */
export function useAccounts(): Map<string, string> {
  const [load] = useLoad(() => api<Pick<CompanyData, 'accounts'>>('/v1/company'), []);
  return useMemo(() => new Map(load.state === 'ok' ? load.data.accounts.map((a) => [a.code, a.name]) : []), [load]);
}

export const accountText = (names: Map<string, string>, code: string): string => {
  const name = names.get(code);
  return name ? `${code} ${name}` : code;
};
