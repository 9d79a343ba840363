package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

func (t *fakeTx) UpdateMessageContent(ctx context.Context, m *domain.Message) error {
	t.messages[m.ID] = *m
	return nil
}

// fakeEditor is a driver that edits and revokes.
type fakeEditor struct {
	fakeWhatsApp
	edits   []MessageEdit
	revokes []MessageRevoke
	err     error
}

func (w *fakeEditor) EditMessage(ctx context.Context, instanceID string, e MessageEdit) error {
	if w.err != nil {
		return w.err
	}
	w.edits = append(w.edits, e)
	return nil
}

func (w *fakeEditor) RevokeMessage(ctx context.Context, instanceID string, r MessageRevoke) error {
	if w.err != nil {
		return w.err
	}
	w.revokes = append(w.revokes, r)
	return nil
}
