/*
 * gfile_ifcfg.h - the RHEL/OEL/CentOS (and SUSE) ifcfg-NAME editor: map
 * old identity values to new (behind gfile_edit), set a NIC's settings,
 * write a new NIC's file from a sibling's.
 */
#ifndef IMPRINT_GFILE_IFCFG_H
#define IMPRINT_GFILE_IFCFG_H

#include "gfile_lib.h"

/*
 * gfile_edit's editor for ifcfg-* files (GFILE_IFCFG): same contract as
 * gfile_edit (gfile.h); the job's values have been checked there.
 */
int	 gfile_ifcfg_edit(const struct gfile_job *, const char *, size_t,
	    struct buf *);

/*
 * RHEL/OEL/CentOS ifcfg-NAME: make the file say what nic says.
 *   HWADDR: set to mac when present (never added: a file without it binds
 *     by name).  An HWADDR equal to mac in another letter case is kept.
 *     MACADDR (a MAC override) is left alone.
 *   static: BOOTPROTO set to "static" unless it says "none" or "static"
 *     already (initscripts treat both alike; an absent BOOTPROTO means
 *     static too and stays absent).  IPADDR set (IPADDR0 when the file
 *     uses IPADDR0 and not IPADDR: NetworkManager's numbered style); the
 *     mask follows the file: PREFIX when it has PREFIX or neither,
 *     NETMASK (dotted) when it has NETMASK, both when it has both; an
 *     IPADDR written as a.b.c.d/N keeps that form.  GATEWAY set when
 *     gateway is given.  Secondary addresses (IPADDR1...) are kept.
 *   dhcp: BOOTPROTO=dhcp; every IPADDR, NETMASK, PREFIX, GATEWAY,
 *     BROADCAST and NETWORK variable (also numbered ones) removed.
 *   DHCP_HOSTNAME follows hostname's short name when present; UUID is
 *     replaced by uuid when present.  New variables are appended at the
 *     end (gfile_shvar_set).
 */
int	 gfile_ifcfg_apply_nic(const char *in, size_t len,
	    const struct gfile_nic *, struct buf *out);

/*
 * A new ifcfg for nic->name, in the style of a sibling's file (sibling is
 * the content of ifcfg-SIBLING_NAME): the sibling's variables, comments,
 * order and quoting are kept, then: DEVICE becomes nic->name; NAME, when
 * present, too (or just its trailing " SIBLING_NAME" word: "System
 * eth0" -> "System eth1"); HWADDR is set to nic->mac when the sibling has
 * HWADDR (removed when nic->mac is NULL, as the sibling's MAC would bind
 * the wrong NIC); MACADDR is removed, and UUID unless uuid is given (a
 * copied MAC override or connection uuid would clash with the sibling);
 * secondary addresses, BROADCAST and NETWORK are removed; for static,
 * GATEWAY is removed when no gateway is given (the sibling's gateway may
 * not be on this NIC's network).  Then as gfile_ifcfg_apply_nic.
 * Refused (-1): nic->boot GFILE_BOOT_KEEP with a static sibling (the copy
 * would duplicate its address), and siblings that are not a plain
 * Ethernet NIC: TYPE other than Ethernet, MASTER/SLAVE/BRIDGE/
 * TEAM_MASTER/BONDING_OPTS/VLAN/PHYSDEV/DEVICETYPE set, or DEVICE lo.
 */
int	 gfile_ifcfg_new_nic(const char *sibling, size_t len,
	    const char *sibling_name, const struct gfile_nic *,
	    struct buf *out);

#endif
