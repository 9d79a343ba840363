-- The bot no longer counts send attempts in the row (a write and a commit
-- per send): the broker's redelivered flag tells it when a command may
-- have been acted on before.
ALTER TABLE messages DROP COLUMN send_attempts;
