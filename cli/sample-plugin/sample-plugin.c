/*
 * The Berth sample plugin: a volume driver that answers the plugin handshake and keeps the names of
 * its volumes in memory (it stores no data: Mount answers a path under /data but makes nothing).
 * One HTTP request per connection on the unix socket named by argv[1]; exits cleanly on SIGTERM
 * (it runs as PID 1 of its container, where SIGTERM has no default action).
 *
 * Build: gcc -static -O2 -o sample-plugin sample-plugin.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void) sig;
    stop = 1;
}

#define MAX_VOLUMES 16
#define MAX_NAME 64
static char volumes[MAX_VOLUMES][MAX_NAME + 1];
static char out[2048];

/* The volume name in the request body ("Name":"..."), letters, digits, - _ . only; "" if none. */
static void volume_name(const char *body, char *name) {
    name[0] = 0;
    const char *p = body ? strstr(body, "\"Name\"") : NULL;
    if (!p || !(p = strchr(p + 6, '"'))) return;
    size_t n = 0;
    for (p++; p[n] && p[n] != '"' && n < MAX_NAME; n++) {
        char c = p[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return;
    }
    if (p[n] != '"') return;
    memcpy(name, p, n);
    name[n] = 0;
}

static int find(const char *name) {
    for (int i = 0; i < MAX_VOLUMES; i++)
        if (name[0] && strcmp(volumes[i], name) == 0) return i;
    return -1;
}

static const char *answer(const char *path, const char *body) {
    char name[MAX_NAME + 1];
    volume_name(body, name);
    int i = find(name);
    if (strcmp(path, "/Plugin.Activate") == 0) return "{\"Implements\":[\"VolumeDriver\"]}";
    if (strcmp(path, "/VolumeDriver.Capabilities") == 0) return "{\"Capabilities\":{\"Scope\":\"local\"}}";
    if (strcmp(path, "/VolumeDriver.Create") == 0) {
        if (!name[0]) return "{\"Err\":\"bad volume name\"}";
        if (i >= 0) return "{\"Err\":\"\"}";
        for (i = 0; i < MAX_VOLUMES; i++)
            if (!volumes[i][0]) { strcpy(volumes[i], name); return "{\"Err\":\"\"}"; }
        return "{\"Err\":\"too many volumes\"}";
    }
    if (strcmp(path, "/VolumeDriver.List") == 0) {
        size_t off = (size_t) snprintf(out, sizeof out, "{\"Volumes\":[");
        for (int j = 0, first = 1; j < MAX_VOLUMES; j++) {
            if (!volumes[j][0]) continue;
            off += (size_t) snprintf(out + off, sizeof out - off, "%s{\"Name\":\"%s\"}", first ? "" : ",", volumes[j]);
            first = 0;
        }
        snprintf(out + off, sizeof out - off, "],\"Err\":\"\"}");
        return out;
    }
    if (i < 0) return "{\"Err\":\"no such volume\"}";
    if (strcmp(path, "/VolumeDriver.Remove") == 0) { volumes[i][0] = 0; return "{\"Err\":\"\"}"; }
    if (strcmp(path, "/VolumeDriver.Get") == 0) {
        snprintf(out, sizeof out, "{\"Volume\":{\"Name\":\"%s\",\"Mountpoint\":\"/data/%s\"},\"Err\":\"\"}", name, name);
        return out;
    }
    if (strcmp(path, "/VolumeDriver.Path") == 0 || strcmp(path, "/VolumeDriver.Mount") == 0) {
        snprintf(out, sizeof out, "{\"Mountpoint\":\"/data/%s\",\"Err\":\"\"}", name);
        return out;
    }
    return "{\"Err\":\"\"}";
}

static void serve(int c) {
    char req[8192];
    size_t n = 0;
    while (n < sizeof req - 1) {
        ssize_t r = read(c, req + n, sizeof req - 1 - n);
        if (r <= 0) break;
        n += (size_t) r;
        req[n] = 0;
        if (strstr(req, "\r\n\r\n")) break;
    }
    req[n] = 0;
    char *end = strstr(req, "\r\n\r\n");
    if (end) {
        /* read the rest of the body: the head says how long it is */
        char *cl = strcasestr(req, "\r\nContent-Length:");
        size_t want = cl ? (size_t) strtoul(cl + 17, NULL, 10) : 0;
        while ((size_t) (req + n - (end + 4)) < want && n < sizeof req - 1) {
            ssize_t r = read(c, req + n, sizeof req - 1 - n);
            if (r <= 0) break;
            n += (size_t) r;
        }
        req[n] = 0;
    }
    char method[16] = "", path[256] = "";
    if (sscanf(req, "%15s %255s", method, path) != 2) return;
    const char *body = answer(path, end ? end + 4 : NULL);
    if (getenv("DEBUG") && strcmp(getenv("DEBUG"), "0") != 0) fprintf(stderr, "%s %s\n", method, path);
    char head[256];
    int h = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
    if (write(c, head, (size_t) h) < 0 || write(c, body, strlen(body)) < 0) perror("write");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    unlink(argv[1]);
    if (s < 0 || bind(s, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(s, 16) < 0) {
        perror("listen");
        return 1;
    }
    while (!stop) {
        int c = accept(s, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR) continue;
            perror("accept");
            return 1;
        }
        serve(c);
        close(c);
    }
    unlink(argv[1]);
    return 0;
}
