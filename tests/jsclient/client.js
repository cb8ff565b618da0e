// An independent Salesforce client (jsforce, which this project did not write) against the
// HTTPS test server: a token refresh on an expired session, query with paging (queryMore via nextRecordsUrl), describe, retrieve,
// sObject Collections updates (allOrNone), /limits and the Sforce-Limit-Info header, and an
// error (a bad field). Reads its settings as JSON on stdin, writes what it saw as JSON on
// stdout; tests/test_salesforce_jsforce.py asserts it. Trust: NODE_EXTRA_CA_CERTS.
'use strict';

const fs = require('fs');
const jsforce = require('jsforce');

async function main() {
  const cfg = JSON.parse(fs.readFileSync(0, 'utf8'));
  const conn = new jsforce.Connection({
    instanceUrl: cfg.instanceUrl,
    accessToken: cfg.accessToken,
    version: cfg.version,
  });
  const out = {};

  // SOQL, page by page: the first page, then queryMore on each nextRecordsUrl.
  const headers = { 'Sforce-Query-Options': 'batchSize=200' };
  let page = await conn.query(cfg.pagedSoql, { headers });
  const pages = [page];
  while (!page.done) {
    page = await conn.queryMore(page.nextRecordsUrl, { headers });
    pages.push(page);
  }
  out.query = {
    totalSize: pages[0].totalSize,
    pageSizes: pages.map((p) => p.records.length),
    nextRecordsUrls: pages.map((p) => p.nextRecordsUrl || null),
    ids: pages.flatMap((p) => p.records.map((r) => r.Id)),
    urls: pages[0].records.slice(0, 3).map((r) => r.attributes.url),
  };

  const described = await conn.sobject(cfg.object).describe();
  const field = described.fields.find((f) => f.name === cfg.field);
  out.describe = {
    name: described.name,
    fieldType: field && field.type,
    fieldUpdateable: field && field.updateable,
  };

  // sObject Collections (jsforce sends {id, attributes: {type}, ...}), all or none.
  const records = cfg.ids.map((id) => ({ Id: id, [cfg.field]: cfg.value }));
  out.update = await conn.sobject(cfg.object).update(records, { allOrNone: true });
  const bad = [...records.map((r) => ({ ...r, [cfg.field]: cfg.value + 1 })), { Id: cfg.pastId, [cfg.field]: 1 }];
  out.rolledBack = await conn.sobject(cfg.object).update(bad, { allOrNone: true });

  const one = await conn.sobject(cfg.object).retrieve(cfg.ids[0]);
  out.retrieved = { id: one.Id, value: one[cfg.field], url: one.attributes.url };

  const limits = await conn.limits();
  out.limits = limits.DailyApiRequests;
  out.limitInfo = conn.limitInfo;

  try {
    await conn.query(cfg.badSoql);
    out.error = null;
  } catch (err) {
    out.error = { name: err.name, errorCode: err.errorCode, message: err.message, data: err.data };
  }
  try {
    await conn.request({ method: 'PUT', url: `/sobjects/${cfg.object}/${cfg.ids[0]}`, body: '{}' });
    out.wrongMethod = null;
  } catch (err) {
    out.wrongMethod = { errorCode: err.errorCode, message: err.message };
  }

  // An expired session: jsforce refreshes it at the token endpoint (refresh_token grant) and
  // repeats the request.
  const expired = new jsforce.Connection({
    oauth2: { clientId: cfg.clientId, loginUrl: cfg.instanceUrl },
    instanceUrl: cfg.instanceUrl,
    accessToken: 'expired-or-never-issued',
    refreshToken: cfg.refreshToken,
    version: cfg.version,
  });
  let refreshes = 0;
  expired.on('refresh', () => { refreshes += 1; });
  const again = await expired.limits();
  out.refresh = { refreshes, max: again.DailyApiRequests.Max };
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`jsforce client failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
