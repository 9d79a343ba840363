package app

import (
	"log/slog"
	"time"
)

// App holds the use cases; each lives in its own file, named after it.
//
// Instances (linking a phone):
//   - CreateInstance, GetInstance, ListInstances, AllInstances, InstancesStamp,
//     UpdateInstance, DeleteInstance
//   - SetInstanceStatus, SetInstanceQR (from the bot), InstanceQR, PairCode,
//     RequestLogout
//   - Account health: PauseInstance, EndPause (pause_instance.go: the bot
//     and the drivers, on WhatsApp's warnings), ResumeInstance (the API)
//
// Commands that answer (the bot runs them on the live connection):
//   - CheckContacts, GetCommand, WaitCommand (the API)
//   - RunCommand (run_command.go, the bot), FailStaleCommands (the scheduler)
//
// Contacts (one person, whichever address they show):
//   - ListContacts, GetContact (the API)
//   - GetContactPicture (contact_picture.go), BlockContact, UnblockContact
//     (block_contact.go): commands that answer, the bot runs them
//   - RecordContacts (from checks and incoming messages)
//
// Groups (reads from Postgres; changes are commands that answer):
//   - ListGroups, GetGroup (the API)
//   - CreateGroup, UpdateGroup, UpdateGroupParticipants, GroupInviteLink,
//     JoinGroup, LeaveGroup (the API; the bot runs them)
//   - GroupJoined, GroupChanged, GroupParticipantsChanged, GroupLeft (what
//     WhatsApp tells of groups, from the drivers), SyncGroups (the bot, on
//     every connect); group_state.go holds what they share
//
// Messages:
//   - SendMessage, GetMessage, ListMessages, MessageMedia, CancelMessage;
//     sends are written in batches by the Committer (accept_messages.go);
//     media by URL (fetch_media.go) and voice notes (voice_note.go) are
//     prepared at request time
//   - ReadChat (read_chat.go), SetChatPresence (chat_presence.go):
//     commands that answer, the bot runs them
//   - FireDueMessages, NextDueAt (the scheduler)
//   - QueuedSends, SendOne (deliver_message.go), RecordSends (the sender)
//   - ReceiveMessage, ApplyReceipt (from the bot)
//   - ReceivePollVote (from the bot and the sim: a vote tallied on its poll)
//   - CreateSendHook, ListSendHooks, DeleteSendHook, SendHook
//     (find_send_hook.go), SendViaHook, PostToHook (a tool's own body, read
//     by app/hookformat)
//
// Events and webhooks:
//   - ListEvents, EventsAfter, PruneEvents
//   - CreateWebhook, ListWebhooks, DeleteWebhook, ListDeliveries, Redeliver
//   - FanOutEvents, ClaimDeliveries, RecordDeliveryAttempts, ReleaseDeliveries
//     (the webhook worker)
//   - ReplayEvents, GetReplay, AdvanceReplay (run_replays.go)
//
// Helpdesk:
//   - AttendIncoming (a group is one client when the instance attends
//     groups: attend_groups.go), ListAttendances (search and filters), GetAttendance,
//     AttendanceTimeline (messages and notes), Reply
//     (reply_to_attendance.go), AssignAttendance, CloseAttendance (the
//     instance's closing message; no feedback asked of the unanswered),
//     CloseIdleAttendances, ReopenAttendance
//   - The attendant's tools (ports in helpdesk_tools.go): AddNote,
//     SetLabels, CreateCannedReply, ListCannedReplies (filled for an
//     attendance), UpdateCannedReply, DeleteCannedReply, ListClients,
//     GetClient, UpdateClient
//   - CreateAttendant, ListAttendants, Login
//   - UpdateAttendant, AttendantLoads, SetMyStatus (update_attendant.go);
//     OpenFeed, CloseFeed, KeepFeeds (attendant_presence.go: dashboards
//     connected, per API process)
//   - CreateTeam, ListTeams, UpdateTeam, DeleteTeam (teams.go)
//   - RouteTeam, RouteWaiting (route_attendances.go: capacity round robin,
//     domain.Route decides), TransferAttendance
//   - FeedbackState, GiveFeedback, FeedbackSummary (with recent comments)
//   - AttendanceReport, ExportAttendances, ReportFilter
//     (attendance_report.go: figures computed by the database, CSV rows)
//   - Business hours, greeting and away messages (attend_hours.go, sent by
//     AttendIncoming); BreachSLAs (breach_slas.go, the scheduler: late
//     first replies emit attendance.sla_breached once)
//
// Access: Authenticate.
type App struct {
	store       Store
	hooks       SendHookStore
	webhooks    WebhookStore
	guard       URLGuard
	eventLog    EventLog
	replays     ReplayStore
	attendances AttendanceStore
	contacts    ContactStore
	groups      GroupStore
	members     GroupMembers
	attendants  AttendantStore
	feedback    FeedbackStore
	teams       TeamStore
	presence    PresenceStore
	tools       HelpdeskTools
	reports     ReportStore
	publicURL   string
	storage     Storage
	wa          WhatsApp
	qr          QRRenderer
	now         Clock
	logger      *slog.Logger
	adminToken  string
	notices     CommandNotices
	cmdTimeout  time.Duration
	fetcher     MediaFetcher
	voice       VoiceConverter
	slaFloor    time.Duration
	checks      CheckBudget
	holds       HoldStore
	sending     SendingDefaults
	committer   *Committer
}

// Deps are the ports and settings the use cases need.
type Deps struct {
	AdminToken  string
	Store       Store
	SendHooks   SendHookStore
	Webhooks    WebhookStore
	URLGuard    URLGuard // nil: every http(s) URL is allowed
	EventLog    EventLog
	Replays     ReplayStore
	Attendances AttendanceStore
	Contacts    ContactStore
	Groups      GroupStore
	// GroupMembers expands mention_all; nil: mention_all answers 404
	// "group".
	GroupMembers GroupMembers
	Attendants   AttendantStore
	Feedback     FeedbackStore
	// Teams and Presence route attendances; nil: no teams (their routes
	// answer 404) and nobody is online.
	Teams    TeamStore
	Presence PresenceStore
	Tools    HelpdeskTools // notes, canned replies, client records
	// Reports computes the helpdesk's figures; nil: the reports route
	// answers 404.
	Reports   ReportStore
	PublicURL string // base of links sent to people
	Storage   Storage
	WhatsApp  WhatsApp
	QR        QRRenderer
	Clock     Clock // nil: the wall clock in UTC
	Log       *slog.Logger
	// CommandNotices wakes WaitCommand; nil: it polls.
	CommandNotices CommandNotices
	// CommandTimeout is how long a command may wait to run before it fails
	// with not_connected; 0: DefaultCommandTimeout.
	CommandTimeout time.Duration
	// MediaFetcher downloads media sent by URL; nil: media.url is refused.
	MediaFetcher MediaFetcher
	// VoiceConverter turns audio into voice notes; nil: only Ogg/Opus
	// voice notes are taken.
	VoiceConverter VoiceConverter
	// SLAFloor lowers the shortest first_response_sla accepted, for tests
	// only (ZAPGATE_SLA_MIN); 0: domain.MinFirstResponseSLA.
	SLAFloor time.Duration
	// CheckBudget bounds contacts/check per instance; nil: no bound.
	CheckBudget CheckBudget
	// Holds keeps the new-contact cap's state; nil: nothing is ever held.
	Holds HoldStore
	// Sending are the defaults of the sending guards for new instances
	// and new links.
	Sending SendingDefaults
	// Committer writes sends in batches (accept_messages.go); nil: each
	// send is its own transaction.
	Committer *Committer
}

// DefaultCommandTimeout is how long a command may wait for a connected
// instance (API.md: "cannot run within 2 minutes").
const DefaultCommandTimeout = 2 * time.Minute

// New wires the use cases to their ports.
func New(d Deps) *App {
	if d.Clock == nil {
		d.Clock = func() time.Time { return time.Now().UTC() }
	}
	if d.CommandTimeout <= 0 {
		d.CommandTimeout = DefaultCommandTimeout
	}
	return &App{
		notices: d.CommandNotices, cmdTimeout: d.CommandTimeout, fetcher: d.MediaFetcher, voice: d.VoiceConverter,
		store: d.Store, hooks: d.SendHooks, webhooks: d.Webhooks, guard: d.URLGuard, storage: d.Storage,
		wa: d.WhatsApp, qr: d.QR, now: d.Clock, logger: d.Log, eventLog: d.EventLog, replays: d.Replays, adminToken: d.AdminToken,
		attendances: d.Attendances, contacts: d.Contacts, groups: d.Groups, members: d.GroupMembers, attendants: d.Attendants, feedback: d.Feedback, tools: d.Tools, publicURL: d.PublicURL,
		teams: d.Teams, presence: d.Presence, reports: d.Reports, slaFloor: d.SLAFloor,
		checks: d.CheckBudget,
		holds:  d.Holds, sending: d.Sending,
		committer: d.Committer,
	}
}

// clampPage applies the list defaults: 50 items, at most 500.
func clampPage(p Page) Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 500 {
		p.Limit = 500
	}
	return p
}
