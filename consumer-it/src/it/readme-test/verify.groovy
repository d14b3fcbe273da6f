// The README's test ran and passed in the user's project, and wrote nothing to its java.io.tmpdir.
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0') : 'the README test did not run once and pass'

def tmp = new File(basedir, 'target/test-tmp')
assert tmp.isDirectory() : "${tmp} is gone"
def left = tmp.list() as List
assert left.isEmpty() : "the test wrote to java.io.tmpdir: ${left}"
return true
