// lumina_core is the union of the core module libraries (see core/CMakeLists.txt); this unit gives the
// archive a member of its own and names the modules for --version reports.
namespace lumina {
const char* coreModuleList() {
    return "util io text models sampling pipeline engine gallery image";
}
} // namespace lumina
