-- Invoice runs (and GET /v1/subscriptions) page through a tenant's
-- subscriptions by id: WHERE tenant_id = ? AND id > cursor ORDER BY id.
-- Without this index the page is read through the primary key, skipping
-- every other tenant's subscriptions on the way, or through another
-- tenant-prefixed index and sorted whole: either grows with the table, not
-- with the page.
CREATE INDEX subscriptions_tenant_page ON subscriptions (tenant_id, id);
