/* The socket scene of the qemu-system guests (cross/vm/test.sh), and a
 * setuid-free "run as" for the unprivileged comparisons. Static, built with
 * the project's zig for each guest.
 *
 *   holder scene      open the root set, fork the unprivileged set (uid/gid
 *                     1000) and a sharer (a child holding two of the root
 *                     set's sockets); print "ready" when all are open, then
 *                     sleep until killed
 *   holder listen NAME PORT...
 *                     in whatever network namespace it runs in: a TCP
 *                     listener on 0.0.0.0:PORT and a UDP socket bound to
 *                     it for each PORT, named NAME (prctl); "ready", then
 *                     sleep until killed (the namespace stage)
 *   holder run UID GID SECS PATH ARGS...
 *                     drop to UID/GID (no supplementary groups; UID 0 stays
 *                     root), arm a SECS alarm, and exec PATH with argv[0]
 *                     its basename, as a shell finds a program on PATH.
 *                     (The guest's busybox ash would run its own netstat
 *                     and fuser applets for a bare name, and its timeout
 *                     applet too.)
 *
 * Addresses have four distinct bytes (127.1.2.3, 127.4.5.6, 10.9.8.7,
 * 10.20.30.40) so that a word read in the wrong byte order cannot pass.
 * Ports: root 8001-8008 and 40001-40007, user 9001-9005 and 41001.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SOL_RAW
#define SOL_RAW 255
#endif
#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* linux/icmp.h */
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

static void die(const char *what) {
    fprintf(stderr, "holder: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int sock(int family, int type, int proto) {
    int s = socket(family, type, proto);
    if (s < 0) die("socket");
    int one = 1;
    if (family != AF_UNIX) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return s;
}

static void bind4(int s, const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die(ip);
}

static void bind6(int s, const char *ip, int port, int v6only) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die(ip);
}

static void connect4(int s, const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) die(ip);
}

static void connect6(int s, const char *ip, int port) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) die(ip);
}

static int tcp4_listen(const char *ip, int port) {
    int s = sock(AF_INET, SOCK_STREAM, 0);
    bind4(s, ip, port);
    if (listen(s, 8) < 0) die("listen");
    return s;
}

static int tcp6_listen(const char *ip, int port, int v6only) {
    int s = sock(AF_INET6, SOCK_STREAM, 0);
    bind6(s, ip, port, v6only);
    if (listen(s, 8) < 0) die("listen");
    return s;
}

/* A unix socket bound to PATH ('@' first: abstract; "" : autobind). */
static int unix_bound(int type, const char *path) {
    int s = sock(AF_UNIX, type, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    socklen_t len = sizeof(sa_family_t);
    if (*path) {
        size_t n = strlen(path);
        memcpy(a.sun_path, path, n);
        if (path[0] == '@') a.sun_path[0] = 0;
        else unlink(path);
        len += n;
    }
    if (bind(s, (struct sockaddr *)&a, len) < 0) die(path);
    return s;
}

static void unix_connect(int s, const char *path) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    memcpy(a.sun_path, path, n);
    if (path[0] == '@') a.sun_path[0] = 0;
    if (connect(s, (struct sockaddr *)&a, sizeof(sa_family_t) + n) < 0) die(path);
}

static int accept_one(int l) {
    int s = accept(l, NULL, NULL);
    if (s < 0) die("accept");
    return s;
}

static void sleep_forever(void) {
    for (;;) pause();
}

/* The root set. Returns the two fds the sharer keeps. */
static void root_set(int keep[2]) {
    /* TCP listeners: v4 on one address and on any, v6 only and dual-stack. */
    int l1 = tcp4_listen("127.1.2.3", 8001);
    tcp4_listen("0.0.0.0", 8002);
    int l3 = tcp6_listen("::1", 8003, 1);
    int l4 = tcp6_listen("::", 8004, 0);
    /* Established: v4 (with 5 unread bytes on the server side), v6, and v4
     * through the dual-stack listener (::ffff:127.1.2.3 on its side). */
    int c1 = sock(AF_INET, SOCK_STREAM, 0);
    bind4(c1, "127.4.5.6", 40001);
    connect4(c1, "127.1.2.3", 8001);
    accept_one(l1);
    if (write(c1, "hello", 5) != 5) die("write");
    int c2 = sock(AF_INET6, SOCK_STREAM, 0);
    bind6(c2, "::1", 40003, 1);
    connect6(c2, "::1", 8003);
    accept_one(l3);
    int c3 = sock(AF_INET, SOCK_STREAM, 0);
    bind4(c3, "127.1.2.3", 40004);
    connect4(c3, "127.1.2.3", 8004);
    accept_one(l4);
    /* SYN-SENT: to a network routed into the dummy interface (nothing answers). */
    int c4 = sock(AF_INET, SOCK_STREAM, 0);
    fcntl(c4, F_SETFL, O_NONBLOCK);
    bind4(c4, "10.9.8.7", 40006);
    connect4(c4, "10.20.30.40", 8080);

    /* UDP: bound, bound to any, v6, connected v4 and v6, one datagram queued. */
    int u1 = sock(AF_INET, SOCK_DGRAM, 0);
    bind4(u1, "127.1.2.3", 8005);
    int u2 = sock(AF_INET, SOCK_DGRAM, 0);
    bind4(u2, "0.0.0.0", 8006);
    int u3 = sock(AF_INET6, SOCK_DGRAM, 0);
    bind6(u3, "::1", 8007, 1);
    int u4 = sock(AF_INET, SOCK_DGRAM, 0);
    bind4(u4, "127.4.5.6", 40005);
    connect4(u4, "127.1.2.3", 8005);
    if (send(u4, "ping", 4, 0) != 4) die("send");
    int u5 = sock(AF_INET6, SOCK_DGRAM, 0);
    bind6(u5, "::1", 40007, 1);
    connect6(u5, "::1", 8007);
    (void)u1, (void)u2, (void)u3, (void)u5;
    /* UDP-Lite and raw. */
    int ul = sock(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    bind4(ul, "127.1.2.3", 8008);
    /* They filter every ICMP type: the port-unreachables that each failed
     * reverse lookup brings would change their Recv-Q between two reads. */
    int r4 = sock(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    unsigned int all = ~0u;
    if (setsockopt(r4, SOL_RAW, ICMP_FILTER, &all, sizeof all) < 0) die("ICMP_FILTER");
    int r6 = sock(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    struct icmp6_filter f6;
    ICMP6_FILTER_SETBLOCKALL(&f6);
    if (setsockopt(r6, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof f6) < 0) die("ICMP6_FILTER");

    /* Unix: stream, dgram, seqpacket, abstract, autobound, unnamed pairs. */
    mkdir("/tmp/sbx", 0755);
    int x1 = unix_bound(SOCK_STREAM, "/tmp/sbx/stream.sock");
    if (listen(x1, 8) < 0) die("listen unix");
    int xc = sock(AF_UNIX, SOCK_STREAM, 0);
    unix_connect(xc, "/tmp/sbx/stream.sock");
    accept_one(x1);
    int xd = unix_bound(SOCK_DGRAM, "/tmp/sbx/dgram.sock");
    int xdc = sock(AF_UNIX, SOCK_DGRAM, 0);
    unix_connect(xdc, "/tmp/sbx/dgram.sock");
    (void)xd;
    int xs = unix_bound(SOCK_SEQPACKET, "/tmp/sbx/seq.sock");
    if (listen(xs, 8) < 0) die("listen seqpacket");
    int xsc = sock(AF_UNIX, SOCK_SEQPACKET, 0);
    unix_connect(xsc, "/tmp/sbx/seq.sock");
    accept_one(xs);
    int xa = unix_bound(SOCK_STREAM, "@sockbox-vm");
    if (listen(xa, 8) < 0) die("listen abstract");
    unix_bound(SOCK_DGRAM, "@sockbox-vm-dgram");
    int xw = unix_bound(SOCK_STREAM, "/tmp/sbx/with space.sock");
    if (listen(xw, 8) < 0) die("listen unix");
    unix_bound(SOCK_DGRAM, "");
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0) die("socketpair");
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) < 0) die("socketpair");
    keep[0] = l1;
    keep[1] = x1;
}

static void user_set(void) {
    int l = tcp4_listen("127.1.2.3", 9001);
    tcp6_listen("::1", 9003, 1);
    /* A connection to root's 8001 that root never accepts. */
    int c = sock(AF_INET, SOCK_STREAM, 0);
    bind4(c, "127.4.5.6", 41001);
    connect4(c, "127.1.2.3", 8001);
    /* And one to our own listener, accepted. */
    int c2 = sock(AF_INET, SOCK_STREAM, 0);
    bind4(c2, "127.4.5.6", 41002);
    connect4(c2, "127.1.2.3", 9001);
    accept_one(l);
    int u = sock(AF_INET, SOCK_DGRAM, 0);
    bind4(u, "127.1.2.3", 9005);
    (void)u;
    mkdir("/tmp/sbx-user", 0755);
    int x = unix_bound(SOCK_STREAM, "/tmp/sbx-user/user.sock");
    if (listen(x, 8) < 0) die("listen unix");
    unix_bound(SOCK_DGRAM, "@sockbox-vm-user");
}

static void close_from(int lo, const int *keep, int nkeep) {
    for (int fd = lo; fd < 1024; fd++) {
        int k = 0;
        for (int i = 0; i < nkeep; i++) k |= keep[i] == fd;
        if (!k) close(fd);
    }
}

static void drop(uid_t uid, gid_t gid) {
    if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) die("drop privileges");
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "run") == 0) {
        uid_t uid = atoi(argv[2]);
        gid_t gid = atoi(argv[3]);
        if (uid != 0 || gid != 0) drop(uid, gid);
        char *path = argv[5];
        char *base = strrchr(path, '/');
        argv[5] = base ? base + 1 : path;
        alarm(atoi(argv[4]));
        execv(path, argv + 5);
        die(path);
    }
    if (argc >= 4 && strcmp(argv[1], "listen") == 0) {
        prctl(PR_SET_NAME, argv[2], 0, 0, 0);
        for (int i = 3; i < argc; i++) {
            tcp4_listen("0.0.0.0", atoi(argv[i]));
            bind4(sock(AF_INET, SOCK_DGRAM, 0), "0.0.0.0", atoi(argv[i]));
        }
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
        for (;;) pause();
    }
    if (argc != 2 || strcmp(argv[1], "scene") != 0) {
        fprintf(stderr, "usage: holder scene | holder listen NAME PORT... | holder run UID GID SECS PATH ARGS...\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int keep[2];
    root_set(keep);
    int ready[2];
    if (pipe(ready) < 0) die("pipe");
    pid_t user = fork();
    if (user < 0) die("fork");
    if (user == 0) {
        close_from(3, &ready[1], 1);
        drop(1000, 1000);
        prctl(PR_SET_NAME, "holder-user", 0, 0, 0);
        user_set();
        if (write(ready[1], "u", 1) != 1) die("ready");
        close(ready[1]);
        sleep_forever();
    }
    pid_t sharer = fork();
    if (sharer < 0) die("fork");
    if (sharer == 0) {
        close_from(3, keep, 2);
        sleep_forever();
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 1) {
        fprintf(stderr, "holder: the unprivileged set failed\n");
        kill(sharer, SIGKILL);
        return 1;
    }
    printf("ready %d %d %d\n", (int)getpid(), (int)user, (int)sharer);
    fflush(stdout);
    sleep_forever();
}
