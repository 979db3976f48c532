/*
 * The virtio-net header of TAP frames (IFF_VNET_HDR), with the UDP
 * segmentation constants that older userspace headers lack (Linux 6.2).
 */
#ifndef VROUTER_VNET_H
#define VROUTER_VNET_H

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* UDP segmentation (USO) */
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20	/* the TAP takes USO for IPv4 */
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6	0x40	/* the TAP takes USO for IPv6 */
#endif

/* The segmentation type without the ECN flag. */
#define VNET_GSO_KIND(v)	((v)->gso_type & ~VIRTIO_NET_HDR_GSO_ECN)

#endif /* VROUTER_VNET_H */
