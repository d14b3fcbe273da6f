/*
 * The Berth sample plugin: a volume driver that answers the plugin handshake and keeps no volumes.
 * One HTTP request per connection on the unix socket named by argv[1]; exits cleanly on SIGTERM
 * (it runs as PID 1 of its container, where SIGTERM has no default action).
 *
 * Build: gcc -static -O2 -o sample-plugin sample-plugin.c
 */
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

static const char *answer(const char *path) {
    if (strcmp(path, "/Plugin.Activate") == 0) return "{\"Implements\":[\"VolumeDriver\"]}";
    if (strcmp(path, "/VolumeDriver.Capabilities") == 0) return "{\"Capabilities\":{\"Scope\":\"local\"}}";
    if (strcmp(path, "/VolumeDriver.List") == 0) return "{\"Volumes\":[]}";
    if (strcmp(path, "/VolumeDriver.Get") == 0) return "{\"Err\":\"no such volume\"}";
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
    char method[16] = "", path[256] = "";
    if (sscanf(req, "%15s %255s", method, path) != 2) return;
    const char *body = answer(path);
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
