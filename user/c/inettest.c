/* inettest: AF_INET sockets on the loopback as Linux 6.1 has them.
   socket's type and protocol checks; bind (INADDR_ANY, 127.0.0.0/8,
   EADDRNOTAVAIL, EINVAL, EAFNOSUPPORT, EADDRINUSE and SO_REUSEADDR,
   ephemeral ports in 32768-60999, EACCES below 1024 without
   CAP_NET_BIND_SERVICE); listen, connect (ECONNREFUSED, implicit bind,
   non-blocking EINPROGRESS, EISCONN, EALREADY), accept4, getsockname and
   getpeername; send and receive with MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL,
   MSG_NOSIGNAL, EPIPE and SIGPIPE, ECONNRESET after a close with unread
   data; shutdown; poll readiness; a full backlog; options; UDP
   datagrams, connected UDP and ECONNREFUSED; the lo ioctls. It brings lo
   up itself (nothing else does under rdinit on Linux). Prints
   "inettest: NAME ok" per case and "inettest: ok", or why not. Every
   expectation here was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "inettest"
#define FAIL_RETURN return 1
#include "check.h"

static struct sockaddr_in sin4(const char *ip, int port) {
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}
#define SA(a) ((struct sockaddr *)&(a))

static int tcp(void) { return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }
static int udp(void) { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }

static int port_of(int fd) {
	struct sockaddr_in a;
	socklen_t n = sizeof a;
	if (getsockname(fd, SA(a), &n) != 0)
		return -1;
	return ntohs(a.sin_port);
}

/* listener makes a TCP socket listening on 127.0.0.1 at an ephemeral port. */
static int listener(int *port) {
	int l = tcp();
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	if (l < 0 || bind(l, SA(a), sizeof a) != 0 || listen(l, 16) != 0)
		return -1;
	*port = port_of(l);
	return l;
}

static int dial(int port) {
	int c = tcp();
	struct sockaddr_in a = sin4("127.0.0.1", port);
	if (connect(c, SA(a), sizeof a) != 0) {
		close(c);
		return -1;
	}
	return c;
}

static short revents(int fd, short ev) {
	struct pollfd p = {.fd = fd, .events = ev};
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static int test_create(void) {
	int s;
	OK(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
	close(s);
	OK(s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP));
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK not set");
	close(s);
	ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	ERRNO(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	ERRNO(socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL);
	int sv[2];
	ERRNO(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	OK(s = tcp());
	int v;
	socklen_t n = sizeof v;
	OK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &n));
	CHECK(v == AF_INET, "SO_DOMAIN %d", v);
	OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &n));
	CHECK(v == IPPROTO_TCP, "SO_PROTOCOL %d", v);
	OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &n));
	CHECK(v == SOCK_STREAM, "SO_TYPE %d", v);
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	OK(getsockname(s, SA(a), &al));
	CHECK(al == sizeof a && a.sin_family == AF_INET && a.sin_port == 0 && a.sin_addr.s_addr == 0,
		"unbound name len %d family %d port %d", al, a.sin_family, ntohs(a.sin_port));
	ERRNO(getpeername(s, SA(a), &al), ENOTCONN);
	EQ(revents(s, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	char c;
	ERRNO(recv(s, &c, 1, 0), ENOTCONN);
	ERRNO(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	ERRNO(accept(s, NULL, NULL), EINVAL);
	ERRNO(shutdown(s, SHUT_RDWR), ENOTCONN);
	ERRNO(shutdown(s, 7), EINVAL);
	close(s);
	return 0;
}

static int test_bind(void) {
	int s = tcp(), t = tcp();
	struct sockaddr_in a = sin4("10.1.2.3", 0);
	ERRNO(bind(s, SA(a), sizeof a), EADDRNOTAVAIL);
	a = sin4("127.0.0.1", 0);
	ERRNO(bind(s, SA(a), sizeof a - 1), EINVAL);
	a.sin_family = AF_UNIX;
	ERRNO(bind(s, SA(a), sizeof a), EAFNOSUPPORT);
	a = sin4("127.0.0.1", 0);
	a.sin_family = AF_UNSPEC;
	ERRNO(bind(s, SA(a), sizeof a), EAFNOSUPPORT);
	a = sin4("0.0.0.0", 0);
	a.sin_family = AF_UNSPEC;
	OK(bind(s, SA(a), sizeof a));
	int p = port_of(s);
	CHECK(p >= 32768 && p <= 60999, "ephemeral port %d", p);
	CHECK(p % 2 == 1, "bind(0) gave even port %d (Linux starts with odd ones)", p);
	ERRNO(bind(s, SA(a), sizeof a), EINVAL);
	a = sin4("127.0.0.1", p);
	ERRNO(bind(t, SA(a), sizeof a), EADDRINUSE);
	close(s);
	s = tcp();
	OK(bind(s, SA(a), sizeof a));
	close(t);
	t = tcp();
	a = sin4("0.0.0.0", p);
	ERRNO(bind(t, SA(a), sizeof a), EADDRINUSE); /* INADDR_ANY takes 127.0.0.1 too */
	close(t);
	close(s);
	/* Two on 127.0.0.1 and 127.0.0.2 at the same port do not clash. */
	s = tcp(), t = tcp();
	a = sin4("127.0.0.1", 0);
	OK(bind(s, SA(a), sizeof a));
	p = port_of(s);
	a = sin4("127.0.0.2", p);
	OK(bind(t, SA(a), sizeof a));
	struct sockaddr_in got;
	socklen_t gl = sizeof got;
	OK(getsockname(t, SA(got), &gl));
	CHECK(got.sin_addr.s_addr == htonl(0x7f000002) && ntohs(got.sin_port) == p, "name of t");
	close(s);
	close(t);
	/* SO_REUSEADDR: both set and neither listening share; a listener does not. */
	int one = 1;
	s = tcp(), t = tcp();
	OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	OK(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	a = sin4("127.0.0.1", 0);
	OK(bind(s, SA(a), sizeof a));
	a.sin_port = htons(port_of(s));
	OK(bind(t, SA(a), sizeof a));
	OK(listen(s, 1));
	ERRNO(listen(t, 1), EADDRINUSE);
	int u = tcp();
	OK(setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	ERRNO(bind(u, SA(a), sizeof a), EADDRINUSE);
	close(s), close(t), close(u);
	/* SO_REUSEPORT lets two listeners share. */
	s = tcp(), t = tcp();
	OK(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	OK(setsockopt(t, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	a = sin4("127.0.0.1", 0);
	OK(bind(s, SA(a), sizeof a));
	OK(listen(s, 1));
	a.sin_port = htons(port_of(s));
	OK(bind(t, SA(a), sizeof a));
	OK(listen(t, 1));
	close(s), close(t);
	/* UDP and TCP ports are apart. */
	s = tcp(), t = udp();
	a = sin4("127.0.0.1", 0);
	OK(bind(s, SA(a), sizeof a));
	a.sin_port = htons(port_of(s));
	OK(bind(t, SA(a), sizeof a));
	close(s), close(t);
	/* A low port needs CAP_NET_BIND_SERVICE. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int x = tcp();
		struct sockaddr_in b = sin4("127.0.0.1", 80);
		if (setuid(1000) != 0)
			_exit(2);
		errno = 0;
		if (bind(x, SA(b), sizeof b) != -1 || errno != EACCES)
			_exit(3);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "uid 1000 bind to 80: status %#x", st);
	s = tcp();
	a = sin4("127.0.0.1", 80);
	OK(bind(s, SA(a), sizeof a));
	close(s);
	return 0;
}

static int test_connect(void) {
	int port, l = listener(&port);
	CHECK(l >= 0, "listener: %s", strerror(errno));
	int v;
	socklen_t vl = sizeof v;
	OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	CHECK(v == 1, "SO_ACCEPTCONN %d", v);
	EQ(revents(l, POLLIN | POLLOUT), 0);
	int c = tcp();
	struct sockaddr_in a = sin4("127.0.0.1", port);
	ERRNO(connect(c, SA(a), sizeof a - 1), EINVAL);
	ERRNO(connect(c, SA(a), 1), EINVAL);
	a.sin_family = AF_UNIX;
	ERRNO(connect(c, SA(a), sizeof a), EAFNOSUPPORT);
	a = sin4("10.0.0.1", port);
	ERRNO(connect(c, SA(a), sizeof a), ENETUNREACH);
	a = sin4("127.0.0.1", port);
	OK(connect(c, SA(a), sizeof a));
	ERRNO(connect(c, SA(a), sizeof a), EISCONN);
	ERRNO(listen(c, 1), EINVAL);
	ERRNO(connect(l, SA(a), sizeof a), EISCONN);
	int cp = port_of(c);
	CHECK(cp >= 32768 && cp <= 60999 && cp % 2 == 0, "connect's ephemeral port %d (Linux: even)", cp);
	EQ(revents(l, POLLIN), POLLIN);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	int s;
	OK(s = accept4(l, SA(peer), &pl, SOCK_NONBLOCK | SOCK_CLOEXEC));
	CHECK(pl == sizeof peer && peer.sin_family == AF_INET && ntohs(peer.sin_port) == cp &&
		peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "accept's peer");
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "accept4 SOCK_NONBLOCK");
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "accept4 SOCK_CLOEXEC");
	fcntl(l, F_SETFL, O_NONBLOCK);
	ERRNO(accept(l, NULL, NULL), EAGAIN);
	fcntl(l, F_SETFL, 0);
	ERRNO(syscall(SYS_accept4, l, NULL, NULL, 0x4), EINVAL); /* musl would fall back to accept */
	struct sockaddr_in name;
	socklen_t nl = sizeof name;
	OK(getsockname(s, SA(name), &nl));
	CHECK(ntohs(name.sin_port) == port && name.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "accepted name");
	OK(getpeername(c, SA(name), &nl));
	CHECK(ntohs(name.sin_port) == port, "client's peer");
	/* A short address length truncates and reports the whole length. */
	char small[4];
	nl = sizeof small;
	OK(getsockname(s, (struct sockaddr *)small, &nl));
	CHECK(nl == 16, "short getsockname length %d", nl);
	nl = -1;
	ERRNO(getsockname(s, SA(name), &nl), EINVAL);
	EQ(revents(c, POLLIN | POLLOUT), POLLOUT);
	close(s);
	close(c);
	/* Nothing listening: refused, and the port goes back. */
	c = tcp();
	close(l);
	ERRNO(connect(c, SA(a), sizeof a), ECONNREFUSED);
	ERRNO(getpeername(c, SA(name), &nl), ENOTCONN);
	nl = sizeof name;
	OK(getsockname(c, SA(name), &nl));
	/* Linux shows the address reset and the port it had, though no longer held. */
	CHECK(ntohs(name.sin_port) >= 32768 && name.sin_addr.s_addr == 0, "after a refused connect: %s:%d",
		inet_ntoa(name.sin_addr), ntohs(name.sin_port));
	/* Non-blocking: EINPROGRESS, then SO_ERROR. */
	int fl = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, fl | O_NONBLOCK);
	ERRNO(connect(c, SA(a), sizeof a), EINPROGRESS);
	struct pollfd pf = {.fd = c, .events = POLLOUT};
	EQ(poll(&pf, 1, 1000), 1);
	CHECK(pf.revents == (POLLOUT | POLLERR | POLLHUP), "refused revents %#x", pf.revents);
	vl = sizeof v;
	OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl));
	CHECK(v == ECONNREFUSED, "SO_ERROR %d", v);
	ERRNO(connect(c, SA(a), sizeof a), ECONNABORTED);
	close(c);
	l = listener(&port);
	a = sin4("0.0.0.0", port);
	c = tcp();
	fcntl(c, F_SETFL, O_NONBLOCK);
	ERRNO(connect(c, SA(a), sizeof a), EINPROGRESS);
	pf.fd = c;
	EQ(poll(&pf, 1, 1000), 1);
	CHECK(pf.revents == POLLOUT, "connected revents %#x", pf.revents);
	vl = sizeof v;
	OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl));
	CHECK(v == 0, "SO_ERROR %d", v);
	OK(connect(c, SA(a), sizeof a));
	ERRNO(connect(c, SA(a), sizeof a), EISCONN);
	pl = sizeof peer;
	OK(getpeername(c, SA(peer), &pl));
	CHECK(peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "connect to 0.0.0.0 gave peer %s", inet_ntoa(peer.sin_addr));
	close(c);
	close(l);
	/* listen on an unbound socket picks a port. */
	l = tcp();
	OK(listen(l, 0));
	port = port_of(l);
	CHECK(port >= 32768 && port <= 60999, "listen's port %d", port);
	c = dial(port);
	CHECK(c >= 0, "dial INADDR_ANY listener: %s", strerror(errno));
	close(c);
	close(l);
	return 0;
}

static int test_data(void) {
	int port, l = listener(&port);
	int c = dial(port), s = accept(l, NULL, NULL);
	CHECK(c >= 0 && s >= 0, "connection");
	char buf[64];
	ERRNO(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ(send(c, "hello", 5, 0), 5);
	EQ(revents(s, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT);
	int n;
	OK(ioctl(s, FIONREAD, &n));
	CHECK(n == 5, "FIONREAD %d", n);
	EQ(recv(s, buf, 3, MSG_PEEK), 3);
	EQ(recv(s, buf, sizeof buf, 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0, "data");
	EQ(write(s, "abc", 3), 3);
	EQ(write(s, "def", 3), 3);
	EQ(recv(c, buf, 6, MSG_WAITALL), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0, "two writes read as one");
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	EQ(send(c, "x", 1, 0), 1);
	EQ(recvfrom(s, buf, sizeof buf, 0, SA(from), &fl), 1);
	CHECK(fl == 0, "recvfrom on TCP gave address length %d", fl);
	/* shutdown(SHUT_WR): the other end reads EOF, POLLRDHUP. */
	OK(shutdown(c, SHUT_WR));
	EQ(revents(s, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP);
	EQ(recv(s, buf, sizeof buf, 0), 0);
	ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	EQ(send(s, "back", 4, 0), 4);
	EQ(recv(c, buf, sizeof buf, 0), 4);
	EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLOUT);
	OK(shutdown(s, SHUT_WR));
	EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	EQ(revents(s, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	EQ(recv(c, buf, sizeof buf, 0), 0);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	ERRNO(getpeername(c, SA(peer), &pl), ENOTCONN);
	close(c);
	close(s);
	/* Close with nothing unread: EOF, then a write is taken and reset. */
	c = dial(port), s = accept(l, NULL, NULL);
	close(s);
	EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP);
	EQ(read(c, buf, sizeof buf), 0);
	EQ(send(c, "lost", 4, MSG_NOSIGNAL), 4);
	usleep(10000);
	EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
	signal(SIGPIPE, SIG_IGN);
	ERRNO(send(c, "x", 1, 0), EPIPE);
	ERRNO(send(c, "x", 1, 0), EPIPE);
	EQ(read(c, buf, sizeof buf), 0);
	close(c);
	/* Close with unread data: RST, ECONNRESET. */
	c = dial(port), s = accept(l, NULL, NULL);
	EQ(send(c, "unread", 6, 0), 6);
	EQ(send(s, "for c", 5, 0), 5);
	close(s);
	usleep(10000);
	EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
	EQ(recv(c, buf, sizeof buf, 0), 5);
	ERRNO(recv(c, buf, sizeof buf, 0), ECONNRESET);
	EQ(recv(c, buf, sizeof buf, 0), 0);
	ERRNO(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);
	/* SIGPIPE on EPIPE without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_DFL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int x = dial(port);
		shutdown(x, SHUT_WR);
		send(x, "x", 1, 0);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "child status %#x, want SIGPIPE", st);
	s = accept(l, NULL, NULL);
	close(s);
	/* A writer blocks when the reader does not read; a non-blocking one gets EAGAIN. */
	c = dial(port), s = accept(l, NULL, NULL);
	fcntl(c, F_SETFL, O_NONBLOCK);
	static char big[1 << 16];
	long total = 0;
	for (;;) {
		long r = send(c, big, sizeof big, 0);
		if (r < 0) {
			CHECK(errno == EAGAIN, "send: %s", strerror(errno));
			break;
		}
		total += r;
		CHECK(total < (64L << 20), "no end to what the socket takes");
	}
	CHECK(!(revents(c, POLLOUT) & POLLOUT), "full socket writable");
	CHECK(revents(s, POLLIN) == POLLIN, "reader not readable");
	long got = 0;
	while (got < total) {
		long r = recv(s, big, sizeof big, 0);
		CHECK(r > 0, "recv: %ld %s", r, strerror(errno));
		got += r;
	}
	ERRNO(recv(s, big, 1, MSG_DONTWAIT), EAGAIN);
	close(c);
	close(s);
	/* shutdown(SHUT_RD) ends reads here and does not stop the other end. */
	c = dial(port), s = accept(l, NULL, NULL);
	OK(shutdown(s, SHUT_RD));
	EQ(recv(s, buf, sizeof buf, 0), 0);
	EQ(send(c, "more", 4, 0), 4);
	EQ(revents(s, POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	close(c);
	close(s);
	/* SO_LINGER with time 0: close resets. */
	c = dial(port), s = accept(l, NULL, NULL);
	struct linger lg = {1, 0};
	ERRNO(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg - 1), EINVAL);
	OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	close(s);
	ERRNO(recv(c, buf, sizeof buf, 0), ECONNRESET);
	close(c);
	/* A listener closed with a connection it never accepted resets it. */
	c = dial(port);
	close(l);
	ERRNO(recv(c, buf, sizeof buf, 0), ECONNRESET);
	close(c);
	return 0;
}

static int test_backlog(void) {
	int l = tcp(), port;
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	OK(bind(l, SA(a), sizeof a));
	OK(listen(l, 0));
	port = port_of(l);
	a.sin_port = htons(port);
	int c1 = dial(port);
	CHECK(c1 >= 0, "first connection: %s", strerror(errno));
	int c2 = tcp();
	fcntl(c2, F_SETFL, O_NONBLOCK);
	ERRNO(connect(c2, SA(a), sizeof a), EINPROGRESS);
	EQ(revents(c2, POLLOUT), 0);
	ERRNO(connect(c2, SA(a), sizeof a), EALREADY);
	int s1 = accept(l, NULL, NULL);
	CHECK(s1 >= 0, "accept: %s", strerror(errno));
	struct pollfd pf = {.fd = c2, .events = POLLOUT};
	EQ(poll(&pf, 1, 5000), 1);
	int s2 = accept(l, NULL, NULL);
	CHECK(s2 >= 0, "accept 2: %s", strerror(errno));
	EQ(send(c2, "hi", 2, 0), 2);
	char buf[4];
	EQ(recv(s2, buf, sizeof buf, 0), 2);
	close(c1), close(c2), close(s1), close(s2), close(l);
	return 0;
}

static int test_options(void) {
	int s = tcp(), v, one = 1;
	socklen_t n = sizeof v;
#define GET(lvl, opt, want) do { n = sizeof v; OK(getsockopt(s, lvl, opt, &v, &n)); \
	CHECK(v == (want) && n == sizeof v, #opt " = %d (len %d), want %d", v, n, (int)(want)); } while (0)
	GET(SOL_SOCKET, SO_REUSEADDR, 0);
	GET(SOL_SOCKET, SO_KEEPALIVE, 0);
	GET(SOL_SOCKET, SO_SNDBUF, 16384);
	GET(SOL_SOCKET, SO_RCVBUF, 131072);
	GET(IPPROTO_TCP, TCP_NODELAY, 0);
	GET(IPPROTO_TCP, TCP_KEEPIDLE, 7200);
	GET(IPPROTO_TCP, TCP_KEEPINTVL, 75);
	GET(IPPROTO_TCP, TCP_KEEPCNT, 9);
	GET(IPPROTO_TCP, TCP_MAXSEG, 536);
	GET(IPPROTO_IP, IP_TTL, 64);
	OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	GET(SOL_SOCKET, SO_REUSEADDR, 1);
	OK(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	GET(SOL_SOCKET, SO_REUSEPORT, 1);
	OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
	GET(SOL_SOCKET, SO_KEEPALIVE, 1);
	OK(setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one));
	GET(SOL_SOCKET, SO_BROADCAST, 1);
	OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	GET(IPPROTO_TCP, TCP_NODELAY, 1);
	v = 30;
	OK(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
	GET(IPPROTO_TCP, TCP_KEEPIDLE, 30);
	v = 0;
	ERRNO(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v), EINVAL);
	v = 32768;
	ERRNO(setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v), EINVAL);
	v = 128;
	ERRNO(setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v), EINVAL);
	v = 5;
	OK(setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
	GET(IPPROTO_TCP, TCP_KEEPCNT, 5);
	ERRNO(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 2), EINVAL);
	ERRNO(setsockopt(s, IPPROTO_TCP, 9999, &one, sizeof one), ENOPROTOOPT);
	v = 4096;
	OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	GET(SOL_SOCKET, SO_SNDBUF, 8192);
	v = 1;
	OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	GET(SOL_SOCKET, SO_RCVBUF, 2304);
	v = 0;
	ERRNO(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof v), EINVAL);
	v = 7;
	OK(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof v));
	GET(IPPROTO_IP, IP_TTL, 7);
	struct linger lg;
	n = sizeof lg;
	OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &n));
	CHECK(n == sizeof lg && lg.l_onoff == 0 && lg.l_linger == 0, "SO_LINGER");
	lg.l_onoff = 5, lg.l_linger = 3;
	OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &n));
	CHECK(lg.l_onoff == 1 && lg.l_linger == 3, "SO_LINGER %d %d", lg.l_onoff, lg.l_linger);
	char c;
	n = 1;
	OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &c, &n));
	CHECK(n == 1 && c == SOCK_STREAM, "SO_TYPE in one byte");
	close(s);
	s = udp();
	ERRNO(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), ENOPROTOOPT);
	n = sizeof v;
	ERRNO(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &n), EOPNOTSUPP);
	GET(SOL_SOCKET, SO_PROTOCOL, IPPROTO_UDP);
	GET(SOL_SOCKET, SO_SNDBUF, 212992);
	close(s);
	return 0;
}

static int test_udp(void) {
	int r = udp(), s = udp();
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	OK(bind(r, SA(a), sizeof a));
	int port = port_of(r);
	CHECK(port >= 32768 && port <= 60999, "UDP port %d", port);
	EQ(revents(r, POLLIN | POLLOUT), POLLOUT);
	char buf[64];
	ERRNO(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	ERRNO(send(s, "x", 1, 0), EDESTADDRREQ);
	a.sin_port = htons(port);
	struct sockaddr_in bad = a;
	bad.sin_port = 0;
	ERRNO(sendto(s, "x", 1, 0, SA(bad), sizeof bad), EINVAL);
	ERRNO(sendto(s, "x", 1, 0, SA(a), sizeof a - 1), EINVAL);
	bad = sin4("10.0.0.1", 9);
	ERRNO(sendto(s, "x", 1, 0, SA(bad), sizeof bad), ENETUNREACH);
	static char huge[70000];
	ERRNO(sendto(s, huge, 65508, 0, SA(a), sizeof a), EMSGSIZE);
	ERRNO(sendto(s, huge, 65536, 0, SA(a), sizeof a), EMSGSIZE);
	EQ(sendto(s, huge, 65507, 0, SA(a), sizeof a), 65507);
	EQ(recv(r, huge, sizeof huge, 0), 65507);
	EQ(sendto(s, "one", 3, 0, SA(a), sizeof a), 3);
	EQ(sendto(s, "two!", 4, 0, SA(a), sizeof a), 4);
	int sp = port_of(s);
	CHECK(sp >= 32768 && sp <= 60999, "sendto's implicit port %d", sp);
	EQ(revents(r, POLLIN | POLLOUT), POLLIN | POLLOUT);
	int n;
	OK(ioctl(r, FIONREAD, &n));
	CHECK(n == 3, "FIONREAD %d", n);
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	EQ(recvfrom(r, buf, sizeof buf, MSG_PEEK, SA(from), &fl), 3);
	EQ(recvfrom(r, buf, 2, 0, SA(from), &fl), 2);
	CHECK(fl == sizeof from && ntohs(from.sin_port) == sp && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		"sender %s:%d", inet_ntoa(from.sin_addr), ntohs(from.sin_port));
	struct iovec iov = {buf, 2};
	struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
	EQ(recvmsg(r, &m, MSG_TRUNC), 4);
	CHECK(m.msg_flags & MSG_TRUNC, "MSG_TRUNC not reported");
	/* Connected UDP: only from the peer; ECONNREFUSED from a closed port. */
	struct sockaddr_in sa = sin4("127.0.0.1", sp);
	OK(connect(r, SA(sa), sizeof sa));
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	OK(getpeername(r, SA(peer), &pl));
	CHECK(ntohs(peer.sin_port) == sp, "UDP peer");
	int o = udp();
	EQ(sendto(o, "stranger", 8, 0, SA(a), sizeof a), 8);
	EQ(sendto(s, "friend", 6, 0, SA(a), sizeof a), 6);
	EQ(recv(r, buf, sizeof buf, 0), 6);
	ERRNO(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	close(o);
	close(s);
	EQ(send(r, "to nobody", 9, 0), 9);
	usleep(10000);
	EQ(revents(r, POLLIN | POLLOUT), POLLOUT | POLLERR);
	ERRNO(recv(r, buf, sizeof buf, MSG_DONTWAIT), ECONNREFUSED);
	ERRNO(recv(r, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ(send(r, "to nobody", 9, 0), 9);
	usleep(10000);
	ERRNO(send(r, "again", 5, 0), ECONNREFUSED);
	/* AF_UNSPEC dissolves the association. */
	struct sockaddr un = {.sa_family = AF_UNSPEC};
	OK(connect(r, &un, sizeof un));
	ERRNO(getpeername(r, SA(peer), &pl), ENOTCONN);
	ERRNO(send(r, "x", 1, 0), EDESTADDRREQ);
	close(r);
	r = udp();
	ERRNO(shutdown(r, SHUT_RDWR), ENOTCONN);
	EQ(revents(r, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	EQ(recv(r, buf, sizeof buf, 0), 0);
	ERRNO(sendto(r, "x", 1, 0, SA(a), sizeof a), EPIPE);
	ERRNO(listen(r, 1), EOPNOTSUPP);
	ERRNO(accept(r, NULL, NULL), EOPNOTSUPP);
	close(r);
	/* SO_REUSEADDR lets two UDP sockets share a port. */
	int one = 1;
	r = udp(), s = udp();
	setsockopt(r, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a = sin4("127.0.0.1", 0);
	OK(bind(r, SA(a), sizeof a));
	a.sin_port = htons(port_of(r));
	OK(bind(s, SA(a), sizeof a));
	close(r), close(s);
	r = udp(), s = udp();
	a = sin4("0.0.0.0", 0);
	OK(bind(r, SA(a), sizeof a));
	a = sin4("127.0.0.1", port_of(r));
	ERRNO(bind(s, SA(a), sizeof a), EADDRINUSE);
	close(r), close(s);
	return 0;
}

static int test_ioctl(void) {
	int s = udp();
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	OK(ioctl(s, SIOCGIFFLAGS, &ifr));
	CHECK((ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
		"lo flags %#x", ifr.ifr_flags);
	OK(ioctl(s, SIOCGIFINDEX, &ifr));
	CHECK(ifr.ifr_ifindex == 1, "lo index %d", ifr.ifr_ifindex);
	strcpy(ifr.ifr_name, "eth7");
	ERRNO(ioctl(s, SIOCGIFFLAGS, &ifr), ENODEV);
	struct ifconf ic = {.ifc_len = 0, .ifc_buf = NULL};
	OK(ioctl(s, SIOCGIFCONF, &ic));
	CHECK(ic.ifc_len == (int)sizeof(struct ifreq), "SIOCGIFCONF length %d", ic.ifc_len);
	struct ifreq all[4];
	ic.ifc_len = sizeof all;
	ic.ifc_req = all;
	OK(ioctl(s, SIOCGIFCONF, &ic));
	struct sockaddr_in *ia = (struct sockaddr_in *)&all[0].ifr_addr;
	CHECK(ic.ifc_len == (int)sizeof(struct ifreq) && strcmp(all[0].ifr_name, "lo") == 0 &&
		ia->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "SIOCGIFCONF entry");
	int n;
	ERRNO(ioctl(s, TCSETS, &n), ENOTTY);
	int l = tcp();
	listen(l, 1);
	ERRNO(ioctl(l, FIONREAD, &n), EINVAL);
	close(l);
	close(s);
	return 0;
}

/* lo_up brings lo up, as an init script would (Linux leaves it down). */
static void lo_up(void) {
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		printf("inettest: bringing lo up (flags were %#x)\n", ifr.ifr_flags);
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			printf("inettest: SIOCSIFFLAGS: %s\n", strerror(errno));
	}
	close(s);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	lo_up();
	struct { const char *name; int (*fn)(void); } cases[] = {
		{"create", test_create}, {"bind", test_bind}, {"connect", test_connect}, {"data", test_data},
		{"backlog", test_backlog}, {"options", test_options}, {"udp", test_udp}, {"ioctl", test_ioctl},
	};
	int passed = 0, ran = 0;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		failed = 0;
		ran++;
		signal(SIGPIPE, SIG_DFL);
		if (cases[i].fn() == 0 && !failed) {
			printf("inettest: %s ok\n", cases[i].name);
			passed++;
		}
	}
	printf("inettest: %d of %d passed\n", passed, ran);
	if (passed == ran)
		printf("inettest: ok\n");
	return passed == ran ? 0 : 1;
}
