/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's words (docs/control-protocol.md): the socket, the
 * verbs and the keys every layer writes or reads -- apsim's control server
 * and guest sessions, `apsim ctl`, the guest library and apctl's probe.
 */
#ifndef APVIRT_PROTO_NAMES_H
#define APVIRT_PROTO_NAMES_H

#define APV_PROTO_VERSION 1
#define APV_PROTO_DEFAULT_SOCKET "/run/apsim.sock"
#define APV_PROTO_SOCKET_ENV "APSIM_SOCKET"
/* Longest request line the server accepts (without its newline). */
#define APV_PROTO_MAX_REQUEST ((size_t)64 * 1024)

/* ---- the server's own verb (control/server.c): connections and bounds ---- */
#define APV_CMD_SERVER "server"
#define APV_KEY_CLIENTS "clients"
#define APV_KEY_GUESTS "guests"
#define APV_KEY_MAX_CLIENTS "max_clients"
#define APV_KEY_IDLE_TIMEOUT_MS "idle_timeout_ms"
#define APV_KEY_OUTQ_ROOM "outq_room"
#define APV_KEY_ACCEPTED "accepted"
#define APV_KEY_IDLE_CLOSED "idle_closed"
#define APV_KEY_EVICTED "evicted"
#define APV_KEY_REFUSED "refused"
#define APV_KEY_EVENTS_HELD "events_held"
#define APV_KEY_TOO_LONG "too_long"

/* ---- every request and response ---- */
#define APV_KEY_CMD "cmd"
#define APV_KEY_TAG "tag"
#define APV_KEY_OK "ok"
#define APV_KEY_ERRNO "errno"
#define APV_KEY_ERROR "error"
#define APV_KEY_REASON "reason"
#define APV_KEY_RULE "rule"
#define APV_KEY_EVENT "event"

/* ---- host verbs (control/handler.c) ---- */
#define APV_CMD_PING "ping"
#define APV_CMD_HELP "help"
#define APV_CMD_ADAPTER_CONFIGURE "adapter-configure"
#define APV_CMD_ADAPTER_CHECKSTOP "adapter-checkstop"
#define APV_CMD_ADAPTER_ADD "adapter-add"
#define APV_CMD_ADAPTER_REMOVE "adapter-remove"
#define APV_CMD_ADAPTER_RESTORE "adapter-restore"
#define APV_CMD_DOMAIN_ADD "domain-add"
#define APV_CMD_DOMAIN_REMOVE "domain-remove"
#define APV_CMD_CONTROL_DOMAIN_ADD "control-domain-add"
#define APV_CMD_CONTROL_DOMAIN_REMOVE "control-domain-remove"
#define APV_CMD_SCAN "scan"
#define APV_CMD_STATE "state"
#define APV_CMD_OWNERS "owners"
#define APV_CMD_PENDING "pending"
#define APV_CMD_LOG "log"
/* the udev events as JSON (src/sim/uevent/, docs/control-protocol.md) */
#define APV_CMD_EVENTS "events"
#define APV_KEY_EVENTS "events"
#define APV_KEY_NEXT "next"
#define APV_KEY_LOST "lost"
#define APV_KEY_UDEV "udev"

#define APV_KEY_PROTOCOL "protocol"
#define APV_KEY_KERNEL "kernel"
#define APV_KEY_SINCE "since"
#define APV_KEY_LAST_SEQ "last_seq"

/* ---- guest sessions (guest_session.c, the guest library) ---- */
#define APV_GUEST_PREFIX "guest."
#define APV_CMD_GUEST_ATTACH "guest.attach"
#define APV_CMD_GUEST_DETACH "guest.detach"
#define APV_CMD_GUEST_PQAP "guest.pqap"
#define APV_CMD_GUEST_NQAP "guest.nqap"
#define APV_CMD_GUEST_DQAP "guest.dqap"
#define APV_CMD_GUEST_MEM_READ "guest.mem-read"
#define APV_CMD_GUEST_MEM_WRITE "guest.mem-write"
#define APV_CMD_GUEST_INFO "guest.info"
#define APV_CMD_GUEST_QUEUE "guest.queue"

#define APV_KEY_MDEV "mdev"
#define APV_KEY_NAME "name"
#define APV_KEY_CPU "cpu"
#define APV_KEY_MEM "mem"
#define APV_KEY_CRYCB_FORMAT "crycb_format"
#define APV_KEY_CRYCB_UPDATES "crycb_updates"
#define APV_KEY_GR "gr"
#define APV_KEY_PROBLEM "problem"
#define APV_KEY_CC "cc"
#define APV_KEY_R1 "r1"
#define APV_KEY_R2 "r2"
#define APV_KEY_MSG "msg"
#define APV_KEY_DATA "data"
#define APV_KEY_PGM "pgm"
#define APV_KEY_CHANGED "changed"
#define APV_KEY_ADDR "addr"
#define APV_KEY_LEN "len"
#define APV_KEY_HEX "hex"
#define APV_KEY_APQN "apqn"
#define APV_KEY_ZEROIZED "zeroized"
#define APV_KEY_IRQ_ISC "irq_isc"
#define APV_KEY_IRQ_NIB "irq_nib"
#define APV_KEY_REQUESTS "requests"
#define APV_KEY_REPLIES "replies"

/* events: {"event":"irq","iscs":N,"total":N}, {"event":"cfg_change",
 * "count":N}, {"event":"request","count":N,"closed":true} */
#define APV_EVENT_IRQ "irq"
#define APV_EVENT_CFG_CHANGE "cfg_change"
#define APV_EVENT_REQUEST "request"
#define APV_KEY_ISCS "iscs"
#define APV_KEY_TOTAL "total"
#define APV_KEY_COUNT "count"
#define APV_KEY_CLOSED "closed"

#endif /* APVIRT_PROTO_NAMES_H */
