package proxmox

import (
	"context"
	"fmt"
	"regexp"
)

// actionParam lists the parameters a power action may carry, and their form;
// anything else is refused before a request is made.
var actionParam = map[Action]map[string]*regexp.Regexp{
	Shutdown: {"timeout": regexp.MustCompile(`^[0-9]{1,5}$`), "forceStop": regexp.MustCompile(`^[01]$`)},
	// overrule-shutdown aborts a running shutdown first (PVE 8.1 and later).
	Stop:   {"timeout": regexp.MustCompile(`^[0-9]{1,5}$`), "overrule-shutdown": regexp.MustCompile(`^[01]$`)},
	Reboot: {"timeout": regexp.MustCompile(`^[0-9]{1,5}$`)},
}

// GuestActionWith is GuestAction with parameters, e.g. a shutdown's
// "timeout" in seconds; only the parameters in actionParam are accepted.
func (c *Client) GuestActionWith(ctx context.Context, ref GuestRef, action Action, params map[string]string) (UPID, error) {
	allowed := actionParam[action]
	for k, v := range params {
		re, ok := allowed[k]
		if !ok || !re.MatchString(v) {
			return "", invalidArg(fmt.Errorf("%s does not take %s=%q", action, k, v))
		}
	}
	p, err := guestPath(ref)
	if err != nil {
		return "", err
	}
	if !action.supportedBy(ref.Type) {
		return "", invalidArg(fmt.Errorf("%s guests have no %q action", ref.Type, action))
	}
	var body any // no body at all when there are no parameters
	if len(params) > 0 {
		body = params
	}
	var s string
	if err := c.post(ctx, p+"/status/"+string(action), body, &s); err != nil {
		return "", err
	}
	if _, err := ParseUPID(s); err != nil {
		return "", &Error{Kind: KindProtocol, Op: "POST " + p + "/status/" + string(action), Host: c.activeHost(), Err: err}
	}
	return UPID(s), nil
}
