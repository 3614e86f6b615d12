// Graphviz through its C library: cgraph parses the DOT text, gvc lays it out with the
// dot engine and renders SVG into memory. Graphviz reports errors through a process-wide
// callback, which is pointed at a buffer for the length of one call; the library is not
// thread-safe, and zonegen calls it from one thread.
#include "zonegen/commands/graphviz.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>

// Under AddressSanitizer: Graphviz 2.42 leaks by itself (gvContext's plugin configuration,
// the dot layout's virtual nodes and edges of clusters), and the font stack its text
// layout loads (pango, fontconfig, cairo, glib) keeps caches for the life of the process.
// Those are not zonegen's leaks; LeakSanitizer reads this hook at exit. libgvc's frames
// carry no frame pointers, so leaks are matched by library, not by function; libcgraph,
// which holds the graph itself, is not among them.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libgvc.so\nleak:libgvplugin_dot_layout.so\nleak:libgvplugin_core.so\nleak:libgvplugin_pango.so\n"
           "leak:libfontconfig.so\nleak:libpango\nleak:libcairo.so\nleak:libglib-2.0.so\n";
}
#endif

namespace zonegen {

namespace {

std::string* g_messages = nullptr;  // where Graphviz's messages go during a call

int collect(char* message) {
    if (g_messages) *g_messages += message;
    return 0;
}

// One context for the life of the process, as Graphviz's own programs use it: in 2.42 the
// pango plugin keeps a pointer to a font name that gvFreeContext() frees, so a second
// context that lays out text reads freed memory (AddressSanitizer showed it).
GVC_t* context() {
    static GVC_t* const gvc = gvContext();
    return gvc;
}

struct GraphClose {
    void operator()(Agraph_t* g) const { agclose(g); }
};

Diagnostic failure(const std::string& what, std::string messages) {
    while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) messages.pop_back();
    for (char& c : messages)
        if (c == '\n') c = ' ';
    return Diagnostic{{}, "graphviz: " + what + (messages.empty() ? "" : ": " + messages)};
}

}  // namespace

Result<std::string> render_dot_as_svg(std::string_view dot) {
    std::string messages;
    g_messages = &messages;
    agusererrf previous = agseterrf(collect);
    agerrlevel_t level = agseterr(AGERR);  // warnings (e.g. about fonts) are not failures
    struct Restore {
        agusererrf f;
        agerrlevel_t l;
        ~Restore() {
            agseterrf(f);
            agseterr(l);
            g_messages = nullptr;
        }
    } restore{previous, level};

    const std::string text(dot);  // agmemread wants a terminated string
    GVC_t* gvc = context();
    if (!gvc) return failure("cannot create a context", messages);
    std::unique_ptr<Agraph_t, GraphClose> graph(agmemread(text.c_str()));
    if (!graph) return failure("cannot read the DOT text", messages);
    if (gvLayout(gvc, graph.get(), "dot") != 0) return failure("layout failed", messages);
    char* data = nullptr;
    unsigned int length = 0;
    int rendered = gvRenderData(gvc, graph.get(), "svg", &data, &length);
    std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc, graph.get());
    if (rendered != 0) return failure("cannot render SVG", messages);
    return svg;
}

}  // namespace zonegen
