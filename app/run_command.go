package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// RunCommand runs a stored command on the live connection (the bot calls
// it for each cmd.* it consumes) and writes how it ended into its row. A
// command that already ended (a redelivery, or the sweeper failed it) is
// not run again. An error means "try again later": the instance is not
// connected yet, or the database is out of reach.
func (a *App) RunCommand(ctx context.Context, instanceID, id string) error {
	cmd, err := a.GetCommand(ctx, instanceID, id)
	if domain.IsNotFound(err) {
		return nil // the instance was deleted
	}
	if err != nil {
		return err
	}
	if cmd.Ended() {
		return nil
	}
	if cmd.Stale(a.now(), a.cmdTimeout) {
		return a.failCommand(ctx, id, domain.CommandNotConnected, "the instance was not connected in time")
	}
	var result []byte
	var refused *domain.Error
	var also func(tx Tx) error // what changes with the ending, in its transaction
	switch cmd.Type {
	case domain.CommandCheckContacts:
		result, err = a.runCheckContacts(ctx, cmd)
		also = func(tx Tx) error { return a.recordChecked(ctx, tx, cmd.InstanceID, result) }
	case domain.CommandLogout:
		result, err = a.runLogout(ctx, cmd)
		also = func(tx Tx) error { return a.loggedOut(ctx, tx, cmd.InstanceID) }
	case domain.CommandCreateGroup:
		result, also, err = a.runCreateGroup(ctx, cmd)
	case domain.CommandUpdateGroup:
		result, also, err = a.runUpdateGroup(ctx, cmd)
	case domain.CommandGroupParticipants:
		result, also, err = a.runGroupParticipants(ctx, cmd)
	case domain.CommandGroupInviteLink:
		result, err = a.runGroupInviteLink(ctx, cmd)
	case domain.CommandJoinGroup:
		result, also, err = a.runJoinGroup(ctx, cmd)
	case domain.CommandLeaveGroup:
		result, also, err = a.runLeaveGroup(ctx, cmd)
	case domain.CommandProfilePicture:
		result, err = a.runContactPicture(ctx, cmd)
	case domain.CommandBlockContact, domain.CommandUnblockContact:
		result, also, err = a.runSetBlocked(ctx, cmd)
	case domain.CommandReadChat:
		result, also, err = a.runReadChat(ctx, cmd)
	case domain.CommandChatPresence:
		result, err = a.runChatPresence(ctx, cmd)
	case domain.CommandEditMessage:
		result, also, err = a.runEditMessage(ctx, cmd)
	case domain.CommandRevokeMessage:
		result, also, err = a.runRevokeMessage(ctx, cmd)
	default:
		return a.failCommand(ctx, id, "unknown_command", "this version cannot run "+string(cmd.Type))
	}
	switch {
	case err == nil:
		return a.endCommand(ctx, id, func(tx Tx, c *domain.Command) error {
			if err := c.Finish(result, a.now()); err != nil {
				return err
			}
			if also != nil {
				return also(tx)
			}
			return nil
		})
	case errors.Is(err, ErrPermanent):
		return a.failCommand(ctx, id, domain.CommandWhatsAppRefused, err.Error())
	case errors.As(err, &refused) && refused.Kind == domain.KindConflict:
		// The state no longer allows it (a message that aged past
		// WhatsApp's window while the command waited): ends with that code.
		return a.failCommand(ctx, id, refused.Code, refused.Message)
	default:
		// Not connected or a transient failure: retried until it runs or
		// the sweeper fails it.
		return fmt.Errorf("run %s %s: %w", cmd.Type, id, err)
	}
}

func (a *App) failCommand(ctx context.Context, id, code, message string) error {
	return a.endCommand(ctx, id, func(_ Tx, c *domain.Command) error { return c.Fail(code, message, a.now()) })
}

// endCommand ends the command in one transaction; one that already ended
// is left as it is (the first ending stands).
func (a *App) endCommand(ctx context.Context, id string, end func(Tx, *domain.Command) error) error {
	return a.store.InTx(ctx, func(tx Tx) error {
		c, err := tx.LockCommand(ctx, id)
		if err != nil {
			return err
		}
		if c.Ended() {
			return nil
		}
		if err := end(tx, c); err != nil {
			return err
		}
		return tx.UpdateCommand(ctx, c)
	})
}
