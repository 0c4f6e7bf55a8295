/* UDP responder for the published-port tests (busybox has no UDP server).
 * Usage: udp-echo PORT TAG
 * Binds 0.0.0.0:PORT and answers each datagram with "TAG SOURCE-IP PAYLOAD", printing the same line to stdout
 * (flushed, so `logs` shows every datagram that reached the container). Built static by the test fixture. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s PORT TAG\n", argv[0]); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    struct sockaddr_in self = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (bind(fd, (struct sockaddr *)&self, sizeof self) < 0) { perror("bind"); return 1; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        char payload[512], reply[700], from[INET_ADDRSTRLEN];
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        ssize_t n = recvfrom(fd, payload, sizeof payload - 1, 0, (struct sockaddr *)&peer, &len);
        if (n < 0) { perror("recvfrom"); continue; }
        payload[n] = '\0';
        inet_ntop(AF_INET, &peer.sin_addr, from, sizeof from);
        int m = snprintf(reply, sizeof reply, "%s %s %s", argv[2], from, payload);
        if (m < 0) continue;
        if ((size_t)m >= sizeof reply) m = sizeof reply - 1;
        sendto(fd, reply, (size_t)m, 0, (struct sockaddr *)&peer, len);
        printf("%s\n", reply);
    }
}
