"""`python -m gradienttracer ARGS` runs GradientTracer's command line (`gt`).

GradientTracer's distribution is called gradienttracer but its import package is `gt`; the
runner image installs this module as gradienttracer/__main__.py only when the installed
GradientTracer does not provide a `gradienttracer` package of its own, so TracerJobs can name
the module `gradienttracer` either way.
"""

from gt.exec import app

if __name__ == "__main__":
    app()
