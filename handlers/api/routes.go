package api

import "github.com/gofiber/contrib/websocket"

// routes lists every route of the API in one place.
func (s *Server) routes() {
	f := s.fiber
	f.Use(s.observe, s.limitBody, s.checkQuery)

	f.Get("/healthz", s.healthz)
	f.Get("/readyz", s.readyz)
	f.Get("/metrics", s.metricsHandler())
	f.Get("/openapi.yaml", s.openapiYAML)
	f.Get("/openapi.json", s.openapiJSON)
	f.Get("/docs", s.docs)

	// The dashboard and the customer's feedback page (web.go).
	f.Get("/", s.webIndex)
	f.Use("/assets", s.webAsset)
	f.Get("/feedback/:token", s.webFeedback)

	f.Post("/hooks/:token", s.postHook)
	if s.hub != nil {
		f.Get("/v1/ws", s.wsAuthorize, websocket.New(s.wsServe))
	}

	// Public: the login and the customer's feedback link.
	f.Post("/v1/auth/login", s.login)
	f.Get("/v1/feedback/summary", s.authenticate, s.adminOnly, s.feedbackSummary)
	f.Get("/v1/feedback/:token", s.feedbackState)
	f.Post("/v1/feedback/:token", s.giveFeedback)

	v1 := f.Group("/v1", s.authenticate)

	v1.Post("/instances", s.adminOnly, s.createInstance)
	v1.Get("/instances", s.adminOnly, s.listInstances)
	v1.Get("/instances/:id", s.instanceAccess, s.getInstance)
	v1.Patch("/instances/:id", s.instanceAccess, s.patchInstance)
	v1.Delete("/instances/:id", s.adminOnly, s.deleteInstance)

	v1.Get("/instances/:id/qr", s.instanceAccess, s.getQR)
	v1.Post("/instances/:id/pair-code", s.instanceAccess, s.pairCode)
	v1.Post("/instances/:id/logout", s.instanceAccess, s.logout)
	v1.Post("/instances/:id/resume", s.instanceAccess, s.resumeInstance)

	v1.Get("/instances/:id/commands/:cid", s.instanceAccess, s.getCommand)
	v1.Post("/instances/:id/contacts/check", s.instanceAccess, s.checkContacts)
	v1.Get("/instances/:id/contacts", s.instanceAccess, s.listContacts)
	v1.Get("/instances/:id/contacts/:address", s.instanceAccess, s.getContact)
	v1.Get("/instances/:id/contacts/:address/picture", s.instanceAccess, s.contactPicture)
	v1.Post("/instances/:id/contacts/:address/block", s.instanceAccess, s.blockContact)
	v1.Post("/instances/:id/contacts/:address/unblock", s.instanceAccess, s.unblockContact)

	v1.Get("/instances/:id/groups", s.instanceAccess, s.listGroups)
	v1.Post("/instances/:id/groups", s.instanceAccess, s.createGroup)
	v1.Post("/instances/:id/groups/join", s.instanceAccess, s.joinGroup)
	v1.Get("/instances/:id/groups/:jid", s.instanceAccess, s.getGroup)
	v1.Patch("/instances/:id/groups/:jid", s.instanceAccess, s.patchGroup)
	v1.Post("/instances/:id/groups/:jid/participants", s.instanceAccess, s.groupParticipants)
	v1.Get("/instances/:id/groups/:jid/invite-link", s.instanceAccess, s.groupInviteLink)
	v1.Post("/instances/:id/groups/:jid/leave", s.instanceAccess, s.leaveGroup)

	v1.Post("/instances/:id/messages", s.instanceAccess, s.sendMessage)
	v1.Get("/instances/:id/messages", s.instanceAccess, s.listMessages)
	v1.Get("/instances/:id/messages/:mid", s.instanceAccess, s.getMessage)
	// Attendants too, for the messages of the attendances they see (app decides).
	v1.Get("/instances/:id/messages/:mid/media", s.getMessageMedia)
	v1.Delete("/instances/:id/messages/:mid", s.instanceAccess, s.cancelMessage)
	v1.Post("/instances/:id/chats/:address/read", s.instanceAccess, s.readChat)
	v1.Post("/instances/:id/chats/:address/presence", s.instanceAccess, s.chatPresence)
	v1.Patch("/instances/:id/messages/:mid", s.instanceAccess, s.editMessage)
	v1.Post("/instances/:id/messages/:mid/revoke", s.instanceAccess, s.revokeMessage)

	v1.Post("/instances/:id/send-hooks", s.instanceAccess, s.createSendHook)
	v1.Get("/instances/:id/send-hooks", s.instanceAccess, s.listSendHooks)
	v1.Delete("/instances/:id/send-hooks/:hid", s.instanceAccess, s.deleteSendHook)

	v1.Post("/instances/:id/webhooks", s.instanceAccess, s.createWebhook)
	v1.Get("/instances/:id/webhooks", s.instanceAccess, s.listWebhooks)
	v1.Delete("/instances/:id/webhooks/:wid", s.instanceAccess, s.deleteWebhook)
	v1.Get("/instances/:id/webhooks/:wid/deliveries", s.instanceAccess, s.listDeliveries)
	v1.Post("/instances/:id/webhooks/:wid/deliveries/:did/redeliver", s.instanceAccess, s.redeliver)

	v1.Post("/attendants", s.adminOnly, s.createAttendant)
	v1.Get("/attendants", s.attendAccess, s.listAttendants)
	v1.Patch("/attendants/me", s.attendAccess, s.patchMe) // before :id
	v1.Patch("/attendants/:id", s.adminOnly, s.patchAttendant)
	v1.Post("/teams", s.adminOnly, s.createTeam)
	v1.Get("/teams", s.attendAccess, s.listTeams)
	v1.Patch("/teams/:tid", s.adminOnly, s.patchTeam)
	v1.Delete("/teams/:tid", s.adminOnly, s.deleteTeam)
	v1.Get("/attendances", s.attendAccess, s.listAttendances)
	v1.Get("/attendances/:aid", s.attendAccess, s.getAttendance)
	v1.Post("/attendances/:aid/messages", s.attendAccess, s.replyAttendance)
	v1.Post("/attendances/:aid/assign", s.attendAccess, s.assignAttendance)
	v1.Post("/attendances/:aid/close", s.attendAccess, s.closeAttendance)
	v1.Post("/attendances/:aid/transfer", s.attendAccess, s.transferAttendance)
	v1.Post("/attendances/:aid/reopen", s.attendAccess, s.reopenAttendance)
	v1.Post("/attendances/:aid/notes", s.attendAccess, s.addNote)
	v1.Put("/attendances/:aid/labels", s.attendAccess, s.setLabels)

	v1.Post("/canned-replies", s.adminOnly, s.createCannedReply)
	v1.Get("/canned-replies", s.attendAccess, s.listCannedReplies)
	v1.Patch("/canned-replies/:id", s.adminOnly, s.patchCannedReply)
	v1.Delete("/canned-replies/:id", s.adminOnly, s.deleteCannedReply)

	v1.Get("/clients", s.attendAccess, s.listClients)
	v1.Get("/clients/:cid", s.attendAccess, s.getClient)
	v1.Patch("/clients/:cid", s.attendAccess, s.patchClient)

	v1.Get("/reports/attendances", s.adminOnly, s.attendanceReport)
	v1.Get("/events", s.adminOnly, s.listEvents)
	v1.Post("/events/replay", s.adminOnly, s.replayEvents)
	v1.Get("/events/replays/:rid", s.adminOnly, s.getReplay)

	if s.sim != nil {
		sim := v1.Group("/sim", s.adminOnly)
		sim.Post("/instances/:id/scan", s.simScan)
		sim.Get("/instances/:id/sent", s.simSent)
		sim.Post("/instances/:id/faults", s.simFaults)
		sim.Post("/instances/:id/receipts", s.simReceipt)
		sim.Post("/instances/:id/inbound", s.simInbound)
		sim.Get("/stats", s.simStats)
		sim.Post("/contacts", s.simContact)
		sim.Post("/groups", s.simGroup)
	}

	f.Use(s.notFound)
}
