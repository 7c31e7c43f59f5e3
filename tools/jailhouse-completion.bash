# SPDX-License-Identifier: GPL-2.0
# Bash completion for the jailhouse command-line tool.
# Install as /usr/share/bash-completion/completions/jailhouse, or source it.

# Names of the cells the driver lists in sysfs.
_jailhouse_cells()
{
	local sysfs=${JAILHOUSE_SYSFS:-/sys/devices/jailhouse} f
	for f in "$sysfs"/cells/*/name; do
		[ -r "$f" ] && printf '%s\n' "$(<"$f")"
	done
}

_jailhouse_files()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -X "!$1" -- "$2") $(compgen -d -- "$2"))
}

_jailhouse()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]} sub=${COMP_WORDS[2]}
	local IFS=$' \t\n'

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "enable disable console cell config \
			hardware --help --version" -- "$cur"))
		return
	fi
	case "$cmd" in
	enable)
		[ "$COMP_CWORD" -eq 2 ] && _jailhouse_files '*.cell' "$cur"
		;;
	console)
		COMPREPLY=($(compgen -W "-f --follow --help" -- "$cur"))
		;;
	config)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "check show create collect --help" \
				-- "$cur"))
		else
			_jailhouse_files '*.cell' "$cur"
		fi
		;;
	hardware)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "check --help" -- "$cur"))
		elif [ "$prev" = "--root" ]; then
			_jailhouse_files '*' "$cur"
		else
			COMPREPLY=($(compgen -W "--root --help" -- "$cur"))
		fi
		;;
	cell)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "create load start shutdown \
				destroy list stats --help" -- "$cur"))
			return
		fi
		case "$sub" in
		create)
			[ "$COMP_CWORD" -eq 3 ] &&
				_jailhouse_files '*.cell' "$cur"
			;;
		start|shutdown|destroy|stats)
			if [ "$COMP_CWORD" -eq 3 ]; then
				local IFS=$'\n'
				COMPREPLY=($(compgen -W "$(_jailhouse_cells)" \
					-- "$cur"))
			fi
			;;
		load)
			if [ "$COMP_CWORD" -eq 3 ]; then
				local IFS=$'\n'
				COMPREPLY=($(compgen -W "$(_jailhouse_cells)" \
					-- "$cur"))
			elif [[ "$prev" =~ ^(-a|--address|-s|--string)$ ]]
			then
				COMPREPLY=()
			elif [[ "$cur" == -* ]]; then
				COMPREPLY=($(compgen -W "-a --address -s \
					--string --help" -- "$cur"))
			else
				_jailhouse_files '*' "$cur"
			fi
			;;
		esac
		;;
	esac
}

complete -F _jailhouse jailhouse
