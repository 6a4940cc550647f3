/* imds_server: a test stand-in for the EC2 instance metadata service (IMDSv1/v2, token hop limit via IP TTL). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_TOKENS 256

static bool v2_required, public_ip;
/* Misbehaviour for the network-fault tests: 0 none, 's' accept and never answer,
 * 'e' a body that never ends, 'h' a 10 MB header. */
static int fault;
static int hop = 1;
static FILE *logf_;
static char tokens[MAX_TOKENS][48];
static int n_tokens;

static void reply(int c, int status, const char *reason, const char *body)
{
        char buf[1024];
        int n = snprintf(buf, sizeof(buf),
                         "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                         "Server: EC2ws\r\nConnection: close\r\n\r\n%s",
                         status, reason, strlen(body), body);
        ssize_t w = write(c, buf, (size_t)n);
        (void)w;
}

/* The value of header @name in the request head, or NULL. */
static const char *header(char *req, const char *name, char *out, size_t size)
{
        size_t n = strlen(name);
        for (char *l = strstr(req, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
                char *h = l + 2;
                if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
                        h += n + 1;
                        while (*h == ' ')
                                h++;
                        size_t k = strcspn(h, "\r");
                        snprintf(out, size, "%.*s", (int)k, h);
                        return out;
                }
        }
        return NULL;
}

static void new_token(char *out)
{
        static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[40];
        int fd = open("/dev/urandom", O_RDONLY);
        ssize_t r = read(fd, rnd, sizeof(rnd));
        (void)r;
        close(fd);
        for (int i = 0; i < 40; i++)
                out[i] = abc[rnd[i] % (sizeof(abc) - 1)];
        out[40] = '\0';
}

static void handle_token(int c, char *req)
{
        char ttl[32];
        char fwd[8];
        if (!header(req, "X-aws-ec2-metadata-token-ttl-seconds", ttl, sizeof(ttl)) || atoi(ttl) < 1 ||
            atoi(ttl) > 21600 || header(req, "X-Forwarded-For", fwd, sizeof(fwd))) {
                reply(c, 400, "Bad Request", "");
                return;
        }
        char *t = tokens[n_tokens++ % MAX_TOKENS];
        new_token(t);
        fprintf(logf_, "issued %s\n", t);
        /* What EC2 does: the token response leaves with TTL = the hop limit. */
        setsockopt(c, IPPROTO_IP, IP_TTL, &hop, sizeof(hop));
        setsockopt(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hop, sizeof(hop));
        reply(c, 200, "OK", t);
}

static void handle_get(int c, char *req, const char *path)
{
        char tok[128];
        if (header(req, "X-aws-ec2-metadata-token", tok, sizeof(tok))) {
                bool ok = false;
                for (int i = 0; i < MAX_TOKENS && i < n_tokens; i++)
                        ok |= strcmp(tokens[i], tok) == 0;
                if (!ok) {
                        reply(c, 401, "Unauthorized", "");
                        return;
                }
        } else if (v2_required) {
                reply(c, 401, "Unauthorized", "");
                return;
        }
        if (strcmp(path, "/latest/meta-data/") == 0)
                reply(c, 200, "OK", "ami-id\ninstance-id\nlocal-ipv4\npublic-ipv4\n");
        else if (strcmp(path, "/latest/meta-data/instance-id") == 0)
                reply(c, 200, "OK", "i-0123456789abcdef0");
        else if (strcmp(path, "/latest/dynamic/instance-identity/document") == 0)
                /* The fields of a real document (EC2 User Guide, "Instance identity documents"). */
                reply(c, 200, "OK",
                      "{\n  \"accountId\" : \"123456789012\",\n  \"architecture\" : \"x86_64\",\n"
                      "  \"availabilityZone\" : \"eu-west-1a\",\n  \"imageId\" : \"ami-0abcdef1234567890\",\n"
                      "  \"instanceId\" : \"i-0123456789abcdef0\",\n  \"instanceType\" : \"m5.large\",\n"
                      "  \"privateIp\" : \"10.0.1.23\",\n  \"region\" : \"eu-west-1\",\n"
                      "  \"version\" : \"2017-09-30\"\n}");
        else if (strcmp(path, "/latest/meta-data/public-ipv4") == 0 && public_ip)
                reply(c, 200, "OK", "198.51.100.7");
        else if (strncmp(path, "/latest/meta-data/iam/security-credentials", 42) == 0)
                reply(c, 200, "OK", "{\"SecretAccessKey\":\"FAKE-SECRET-NODEWARD-TEST\"}");
        else
                reply(c, 404, "Not Found", "");
}

static ssize_t write_str(int c, const char *s)
{
        return write(c, s, strlen(s));
}

/* Misbehave as asked; true when the connection was handled that way. */
static bool misbehave(int c)
{
        char buf[4096];
        memset(buf, 'x', sizeof(buf));
        ssize_t w = 1;
        switch (fault) {
        case 's': sleep(30); return true;
        case 'e':
                w = write_str(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
                for (long i = 0; i < 1000000 && w > 0; i++)
                        w = write(c, buf, sizeof(buf));
                return true;
        case 'h':
                w = write_str(c, "HTTP/1.1 200 OK\r\nX-Padding: ");
                for (int i = 0; i < 10 * 256 && w > 0; i++)
                        w = write(c, buf, sizeof(buf));
                if (w > 0)
                        w = write_str(c, "\r\nContent-Length: 0\r\n\r\n");
                return true;
        default: return false;
        }
}

static void serve_one(int c)
{
        struct timeval tv = {2, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char req[8192];
        size_t len = 0;
        while (len < sizeof(req) - 1) {
                ssize_t n = read(c, req + len, sizeof(req) - 1 - len);
                if (n <= 0)
                        return;
                len += (size_t)n;
                req[len] = '\0';
                if (strstr(req, "\r\n\r\n"))
                        break;
        }
        char method[16], path[1024];
        if (sscanf(req, "%15s %1023s", method, path) != 2)
                return;
        fprintf(logf_, "%s %s\n", method, path);
        if (misbehave(c))
                return;
        if (strcmp(method, "PUT") == 0 && strcmp(path, "/latest/api/token") == 0)
                handle_token(c, req);
        else if (strcmp(method, "GET") == 0)
                handle_get(c, req, path);
        else
                reply(c, 405, "Method Not Allowed", "");
}

int main(int argc, char **argv)
{
        const char *addr = "169.254.169.254", *logpath = "/dev/null";
        int port = 80, c;
        static const struct option lo[] = {
                {"addr", 1, 0, 'a'},      {"port", 1, 0, 'p'}, {"v2-required", 0, 0, '2'}, {"hop", 1, 0, 'h'},
                {"public-ip", 0, 0, 'i'}, {"log", 1, 0, 'l'},  {"fault", 1, 0, 'f'},       {0, 0, 0, 0}};
        while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
                switch (c) {
                case 'a': addr = optarg; break;
                case 'p': port = atoi(optarg); break;
                case '2': v2_required = true; break;
                case 'h': hop = atoi(optarg); break;
                case 'i': public_ip = true; break;
                case 'l': logpath = optarg; break;
                case 'f': fault = optarg[0]; break;
                default: return 2;
                }
        }
        signal(SIGPIPE, SIG_IGN);
        logf_ = fopen(logpath, "a");
        if (!logf_)
                return 2;
        setvbuf(logf_, NULL, _IOLBF, 0);
        struct sockaddr_storage ss = {0};
        socklen_t sl;
        struct sockaddr_in *s4 = (void *)&ss;
        struct sockaddr_in6 *s6 = (void *)&ss;
        if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                sl = sizeof(*s4);
        } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                sl = sizeof(*s6);
        } else {
                return 2;
        }
        int ls = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ls < 0 || bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 64) < 0) {
                perror("imds_server");
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                int cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
                if (cs < 0)
                        continue;
                serve_one(cs);
                close(cs);
        }
}
