package domain

// SetAttendGroups sets whether a group's messages open and join one
// attendance whose client is the group.
func (i *Instance) SetAttendGroups(on bool) { i.AttendGroups = on }
