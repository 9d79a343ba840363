-- Business hours and what the client hears by them, the first-response
-- SLA, and the milestones of every attendance, so reports and the SLA
-- sweeper read columns instead of scanning messages.
ALTER TABLE instances
    ADD COLUMN greeting_message      text   NOT NULL DEFAULT '',
    ADD COLUMN away_message          text   NOT NULL DEFAULT '',
    ADD COLUMN business_hours        jsonb,
    ADD COLUMN first_response_sla_ms bigint NOT NULL DEFAULT 0;

ALTER TABLE attendances
    ADD COLUMN assigned_at     timestamptz,
    ADD COLUMN sla_due_at      timestamptz,
    ADD COLUMN sla_breached_at timestamptz,
    ADD COLUMN away_sent_at    timestamptz;
-- Attendances assigned before this column existed count from their opening.
UPDATE attendances SET assigned_at = opened_at WHERE attendant_id IS NOT NULL;

-- The sweeper's question: which open, unanswered attendances are past due
-- and not yet reported.
CREATE INDEX attendances_sla_due ON attendances (sla_due_at)
    WHERE status = 'open' AND first_reply_at IS NULL AND sla_breached_at IS NULL AND sla_due_at IS NOT NULL;
