"""The thin command modules behind `toi-atlas add|import|fmt|links|serve`: options in, one
call, exit code out.
"""
