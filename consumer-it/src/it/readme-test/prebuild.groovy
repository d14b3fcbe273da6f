// Copies the first ```java block of the README's "## Testing your code with Berth" section into the
// project, verbatim, so that the README's example is what this build compiles and runs.
def text = new File(readme).getText('UTF-8')
def section = text.indexOf('\n## Testing your code with Berth\n')
if (section < 0) {
    throw new IllegalStateException("README has no section '## Testing your code with Berth'")
}
def open = text.indexOf('\n```java\n', section)
def next = text.indexOf('\n## ', section + 1)
if (open < 0 || (next >= 0 && open > next)) {
    throw new IllegalStateException("the section '## Testing your code with Berth' has no ```java block")
}
def start = open + '\n```java\n'.length()
def end = text.indexOf('\n```', start)
def source = text.substring(start, end + 1)

def pkg = (source =~ /(?m)^package\s+([\w.]+)\s*;/)
def cls = (source =~ /(?m)^(?:public\s+)?(?:final\s+)?class\s+(\w+)/)
if (!cls.find()) {
    throw new IllegalStateException("the README's test block declares no class")
}
def dir = new File(basedir, 'src/test/java/' + (pkg.find() ? pkg.group(1).replace('.', '/') : ''))
dir.mkdirs()
new File(dir, cls.group(1) + '.java').setText(source, 'UTF-8')

def tmp = new File(basedir, 'target/test-tmp')
tmp.mkdirs()
return true
