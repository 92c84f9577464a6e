// Package envcheck finds the problems of a container-build environment
// definition (an Azure Machine Learning v1 JSON or v2 YAML environment, a
// conda environment file, a pip requirements file or a Dockerfile) before the
// build runs, each at the file, line and column of the value at fault.
// It can also link the issues of a classified build log back to the line of
// the definition that asked for the failing package, image or channel.
package envcheck
