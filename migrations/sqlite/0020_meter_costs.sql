-- Margins (issue 11): what one unit of a meter costs the tenant to serve
-- (a provider's token price under the platform's key), as an exact decimal
-- in cost_currency. NULL both when not declared. Never invoiced.
ALTER TABLE meters ADD COLUMN cost_per_unit TEXT;
ALTER TABLE meters ADD COLUMN cost_currency TEXT;
