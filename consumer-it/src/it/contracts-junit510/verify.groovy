// testkit's contract suites ran on JUnit 5.10 (surefire itself fails the build on a failed test).
def log = new File(basedir, 'build.log').getText('UTF-8')
def summary = (log =~ /(?m)^\[\w+\] Tests run: (\d+), Failures: 0, Errors: 0, Skipped: (\d+)$/)
assert summary.find() : 'no passing test summary in build.log'
assert summary.group(1).toInteger() > 20 : "only ${summary.group(1)} contract tests ran"
return true
