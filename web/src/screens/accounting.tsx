/**
 * The accounting interface (seed 001): per record type the records Xero does not have yet,
 * with their last error, hold / release, and a sync of the type with live progress and one
 * result row per record. `#/accounting/<type>[?all=1]`; all=1 lists posted records too, with
 * re-post and void & re-post.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Page, QuietLoaded, Tabs, useQuietLoad } from '../components/ui';
import { go, href, type Route } from '../router';
import { RECORD_TYPES, TYPE_LABELS, type RecordType } from '../wire';
import { RecordsTable } from './parts-b/records-table';
import { SyncPanel } from './parts-b/sync-panel';
import { isRecordType, listRecords, type RecordList, type RunSummary, type SyncRecord } from './parts-b/sync';

function TypeTabs({ type, counts, all }: { type: RecordType; counts: RecordList['counts'] | undefined; all: boolean }): JSX.Element {
  const tabs = RECORD_TYPES.map((t) => ({ id: t, label: TYPE_LABELS[t], href: href(`accounting/${t}`, { all: all ? '1' : undefined }), badge: counts?.[t] }));
  return <Tabs tabs={tabs} active={type} label="Record types" />;
}

function AllToggle({ type, all }: { type: RecordType; all: boolean }): JSX.Element {
  return (
    <label class="inline">
      <input type="checkbox" checked={all} onChange={(e) => go(`accounting/${type}`, { all: e.currentTarget.checked ? '1' : undefined })} />
      Show posted and cancelled records too
    </label>
  );
}

export function Accounting({ route }: { route: Route }): JSX.Element {
  const type: RecordType = isRecordType(route.path[1]) ? route.path[1] : 'invoices';
  const all = route.query.get('all') === '1';
  // Kept on screen while it reloads after a hold or a run, so rows do not jump.
  const list = useQuietLoad(() => listRecords(type, all), [type, all]);
  const [shown, setShown] = useState<RunSummary | undefined>(undefined);
  // The badges keep the last counts while another tab's list loads (the counts cover every type).
  const counts = useRef<RecordList['counts'] | undefined>(undefined);
  if (list.data) counts.current = list.data.counts;
  useEffect(() => setShown(undefined), [type]);
  const changed = (r: SyncRecord | undefined): void => {
    if (r) list.set((l) => ({ ...l, records: l.records.map((x) => (x.id === r.id ? r : x)) }));
    list.reload();
  };
  // The list comes a page at a time: the next page is added below the rows already shown.
  const more = async (after: string): Promise<void> => {
    const page = await listRecords(type, all, after);
    list.set((l) => ({ ...page, records: [...l.records, ...page.records] }));
  };
  return (
    <Page title="Accounting interface">
      <p class="muted">Records stockbook has booked and Xero does not have yet. Each sync posts the unposted records of one type, each on its own; held records wait until released.</p>
      <TypeTabs type={type} counts={counts.current} all={all} />
      <SyncPanel key={type} type={type} onDone={list.reload} shown={shown} onShown={setShown} />
      <div class="list-head">
        <h2>{all ? 'Records' : 'Unposted records'}: {TYPE_LABELS[type]}</h2>
        <AllToggle type={type} all={all} />
      </div>
      <QuietLoaded load={list}>
        {(l) => (
          <>
            <RecordsTable records={l.records} all={all} onChanged={changed} onRun={setShown} />
            {l.next !== null ? <button class="button" data-testid="more-records" onClick={() => void more(l.next!)}>Show more records</button> : null}
          </>
        )}
      </QuietLoaded>
    </Page>
  );
}
