/* Sends one hand-made Ethernet frame out of an interface through an AF_PACKET socket, as a container with CAP_NET_RAW
 * can, whatever IPv4/IPv6 state the interface has. Built static by the e2e tests (tests/e2e/Infrastructure/Fixture.cs).
 *
 *   forge ra IFACE
 *       an IPv6 router advertisement to ff02::1: default router with high preference, lifetime 1800 s, and the prefix
 *       2001:db8:1::/64 (documentation prefix) on-link and autonomous (SLAAC)
 *   forge udp IFACE DST_MAC TAGS SRC_IP DST_IP DST_PORT PAYLOAD
 *       an IPv4/UDP datagram to DST_MAC, wrapped in TAGS (0..2) 802.1Q tags with VLAN id 0 (priority tags)
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t add_bytes(uint32_t sum, const uint8_t *p, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static int parse_mac(const char *text, uint8_t mac[6]) {
    unsigned int b[6];
    if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) return -1;
    for (int i = 0; i < 6; i++) mac[i] = (uint8_t)b[i];
    return 0;
}

/* Router advertisement body (ICMPv6 from the type on) into icmp; returns its length. */
static size_t router_advertisement(uint8_t *icmp, const uint8_t mac[6]) {
    size_t n = 0;
    icmp[n++] = 134; icmp[n++] = 0; n += 2;            /* type RA, code 0, checksum later */
    icmp[n++] = 64;                                    /* current hop limit */
    icmp[n++] = 0x08;                                  /* flags: default router preference high */
    put16(icmp + n, 1800); n += 2;                     /* router lifetime */
    n += 8;                                            /* reachable time, retransmission timer */
    icmp[n++] = 3; icmp[n++] = 4; icmp[n++] = 64; icmp[n++] = 0xc0;   /* prefix information: /64, L and A flags */
    uint32_t valid = htonl(86400), preferred = htonl(14400);
    memcpy(icmp + n, &valid, 4); n += 4;
    memcpy(icmp + n, &preferred, 4); n += 4;
    n += 4;                                            /* reserved */
    const uint8_t prefix[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};
    memcpy(icmp + n, prefix, 16); n += 16;
    icmp[n++] = 1; icmp[n++] = 1; memcpy(icmp + n, mac, 6); n += 6;  /* source link-layer address */
    return n;
}

int main(int argc, char **argv) {
    int ra = argc == 3 && strcmp(argv[1], "ra") == 0, udp = argc == 9 && strcmp(argv[1], "udp") == 0;
    if (!ra && !udp) {
        fprintf(stderr, "usage: %s ra IFACE | %s udp IFACE DST_MAC TAGS SRC_IP DST_IP DST_PORT PAYLOAD\n", argv[0], argv[0]);
        return 2;
    }
    int s = socket(AF_PACKET, SOCK_RAW, 0);
    if (s < 0) { perror("socket(AF_PACKET)"); return 1; }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, argv[2], IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) { perror(argv[2]); return 1; }
    int ifindex = ifr.ifr_ifindex;
    if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) { perror(argv[2]); return 1; }
    uint8_t mac[6];
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);

    uint8_t frame[256];
    memset(frame, 0, sizeof frame);
    size_t len;
    if (ra) {
        const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
        memcpy(frame, all_nodes_mac, 6);
        memcpy(frame + 6, mac, 6);
        put16(frame + 12, 0x86dd);
        uint8_t *ip = frame + 14, *icmp = ip + 40;
        size_t n = router_advertisement(icmp, mac);
        uint8_t src[16] = {0xfe, 0x80}, dst[16] = {0xff, 0x02};      /* fe80::EUI-64 of the MAC, ff02::1 */
        dst[15] = 1;
        src[8] = mac[0] ^ 2; src[9] = mac[1]; src[10] = mac[2]; src[11] = 0xff; src[12] = 0xfe;
        src[13] = mac[3]; src[14] = mac[4]; src[15] = mac[5];
        ip[0] = 0x60; put16(ip + 4, (uint16_t)n); ip[6] = 58; ip[7] = 255;  /* next header ICMPv6, hop limit 255 */
        memcpy(ip + 8, src, 16); memcpy(ip + 24, dst, 16);
        uint32_t sum = add_bytes(0, src, 16);                                /* pseudo-header, RFC 8200 §8.1 */
        sum = add_bytes(sum, dst, 16) + (uint32_t)n + 58;
        put16(icmp + 2, fold(add_bytes(sum, icmp, n)));
        len = 14 + 40 + n;
    } else {
        int tags = atoi(argv[4]);
        struct in_addr src, dst;
        if (parse_mac(argv[3], frame) < 0 || tags < 0 || tags > 2 || inet_pton(AF_INET, argv[5], &src) != 1
            || inet_pton(AF_INET, argv[6], &dst) != 1) { fprintf(stderr, "bad argument\n"); return 2; }
        memcpy(frame + 6, mac, 6);
        size_t at = 12;
        for (int i = 0; i < tags; i++) { put16(frame + at, 0x8100); put16(frame + at + 2, 0); at += 4; }
        put16(frame + at, 0x0800); at += 2;
        size_t payload = strlen(argv[8]);
        if (payload > 100) { fprintf(stderr, "payload too long\n"); return 2; }
        uint8_t *ip = frame + at, *udph = ip + 20;
        ip[0] = 0x45; put16(ip + 2, (uint16_t)(20 + 8 + payload)); ip[8] = 64; ip[9] = 17;
        memcpy(ip + 12, &src, 4); memcpy(ip + 16, &dst, 4);
        put16(ip + 10, fold(add_bytes(0, ip, 20)));
        put16(udph, 40000); put16(udph + 2, (uint16_t)atoi(argv[7])); put16(udph + 4, (uint16_t)(8 + payload));
        memcpy(udph + 8, argv[8], payload);                                   /* UDP checksum 0: none (RFC 768) */
        len = at + 20 + 8 + payload;
    }
    struct sockaddr_ll to;
    memset(&to, 0, sizeof to);
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    memcpy(to.sll_addr, frame, 6);
    if (sendto(s, frame, len, 0, (struct sockaddr *)&to, sizeof to) < 0) { perror("sendto"); return 1; }
    close(s);
    return 0;
}
