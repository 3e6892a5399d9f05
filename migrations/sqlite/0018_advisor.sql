-- The plan advisor (issue 11): a plan declares what its customers pay
-- providers directly per unit of a meter (BYOK token costs), as JSON
-- [{"meter","unit_amount","description"}]; never invoiced.
ALTER TABLE plans ADD COLUMN external_costs TEXT NOT NULL DEFAULT '[]';
